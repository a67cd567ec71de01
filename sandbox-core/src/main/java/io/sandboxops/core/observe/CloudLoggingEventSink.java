package io.sandboxops.core.observe;

import com.google.api.MonitoredResource;
import com.google.logging.v2.LogEntry;
import com.google.logging.v2.WriteLogEntriesRequest;
import com.google.protobuf.Timestamp;
import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.env.CloudTarget;
import io.sandboxops.core.env.GoogleClients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the client's operation events to Cloud Logging (Google's, or the emulator's), log {@value SandboxEvent#LOG_ID},
 * resource {@code global}, through the official {@code LoggingClient}. Events wait in a bounded queue and one daemon
 * thread writes them in batches; a full queue or a failed write drops events, counts them, and says so once in this
 * process's log. The client is made on the writer thread as soon as it starts, so opening a backend waits for no
 * client, and the client is ready (its classes loaded, a second or so of a short sandboxctl run) by the time the
 * operation it is to report has ended.
 */
public final class CloudLoggingEventSink implements SandboxEventSink {
    private static final Logger log = LoggerFactory.getLogger(CloudLoggingEventSink.class);

    /**
     * @param queueCapacity events held while the writer is busy; beyond it they are dropped
     * @param batchSize     most entries in one {@code WriteLogEntries}
     * @param flushInterval longest an event waits for a batch to fill
     * @param closeTimeout  longest {@link #close()} waits for the queue to drain
     */
    public record Settings(int queueCapacity, int batchSize, Duration flushInterval, Duration closeTimeout) {
        public Settings {
            if (queueCapacity < 1 || batchSize < 1 || flushInterval.isNegative() || flushInterval.isZero() || closeTimeout.isNegative()) {
                throw new IllegalArgumentException("queue capacity and batch size must be positive, the flush interval too: " + queueCapacity
                        + ", " + batchSize + ", " + flushInterval + ", " + closeTimeout);
            }
        }

        /** 10,000 events queued, batches of up to 500, flushed every second; close waits up to 3 s. */
        public static Settings defaults() {
            return new Settings(10_000, 500, Duration.ofSeconds(1), Duration.ofSeconds(3));
        }
    }

    private final GoogleClients clients;
    private final String logName;
    private final MonitoredResource resource;
    private final Settings settings;
    private final BlockingQueue<SandboxEvent> queue;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    /** The batch being written; taken by whoever settles it first, the writer or {@link #close()}. */
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean warned = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread writer;

    /** Events to the Cloud Logging of {@code target}, over clients of its own. */
    public CloudLoggingEventSink(CloudTarget target) {
        this(target, Settings.defaults());
    }

    public CloudLoggingEventSink(CloudTarget target, Settings settings) {
        this.clients = new GoogleClients(target);
        this.settings = settings;
        this.logName = "projects/" + target.projectId() + "/logs/" + SandboxEvent.LOG_ID;
        this.resource = MonitoredResource.newBuilder().setType("global").putLabels("project_id", target.projectId()).build();
        this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
        this.writer = new Thread(this::run, "sandbox-events");
        writer.setDaemon(true);
        writer.start();
    }

    /** The full name of the log written to. */
    public String logName() {
        return logName;
    }

    @Override
    public void record(SandboxEvent event) {
        if (closed.get() || !queue.offer(event)) {
            drop(1, closed.get() ? "the sink is closed" : "the queue of " + settings.queueCapacity() + " events is full");
        }
    }

    @Override
    public long dropped() {
        return dropped.get();
    }

    /** @return events written to Cloud Logging so far */
    public long delivered() {
        return delivered.get();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            writer.join(settings.closeTimeout().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) {
            writer.interrupt();
        }
        int left = queue.size() + inFlight.getAndSet(0);
        queue.clear();
        if (left > 0) {
            drop(left, "they were still queued or being written when the client closed, " + settings.closeTimeout().toMillis()
                    + " ms after it began to");
        }
        if (dropped.get() > 0) {
            log.warn("{} of {} sandbox operation events were not delivered to {}; metrics of this period undercount",
                    dropped.get(), dropped.get() + delivered.get(), logName);
        }
        clients.close();
    }

    private void run() {
        try {
            clients.logging();
        } catch (RuntimeException e) {
            // The first write makes it again and reports why it cannot.
            log.debug("the Cloud Logging client could not be made ahead of the first event: {}", SandboxException.rootMessage(e));
        }
        List<SandboxEvent> batch = new ArrayList<>(settings.batchSize());
        while (true) {
            try {
                SandboxEvent first = queue.poll(closed.get() ? 0 : settings.flushInterval().toMillis(), TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (closed.get()) {
                        return;
                    }
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, settings.batchSize() - 1);
            } catch (InterruptedException e) {
                return;
            }
            write(batch);
            batch.clear();
        }
    }

    private void write(List<SandboxEvent> batch) {
        WriteLogEntriesRequest.Builder request = WriteLogEntriesRequest.newBuilder().setLogName(logName).setResource(resource)
                .setPartialSuccess(true);
        for (SandboxEvent e : batch) {
            request.addEntries(LogEntry.newBuilder()
                    .setTimestamp(Timestamp.newBuilder().setSeconds(e.time().getEpochSecond()).setNanos(e.time().getNano()))
                    .setSeverity(e.severity())
                    .setJsonPayload(e.payload()));
        }
        inFlight.set(batch.size());
        try {
            clients.logging().writeLogEntries(request.build());
            delivered.addAndGet(inFlight.getAndSet(0));
        } catch (RuntimeException e) {
            int lost = inFlight.getAndSet(0);
            if (lost > 0) {
                drop(lost, "writing them failed: " + SandboxException.rootMessage(e));
            }
        }
    }

    /** Counts dropped events and says so the first time, with the reason; the total is said at close. */
    private void drop(int count, String why) {
        dropped.addAndGet(count);
        if (warned.compareAndSet(false, true)) {
            log.warn("sandbox operation events are being dropped ({} so far): {}; the operations themselves are unaffected, "
                    + "metrics read from {} will undercount", count, why, logName);
        }
    }
}
