package io.sandboxops.core.observe;

import io.sandboxops.core.api.PoolStatus;
import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxBackend;
import io.sandboxops.core.api.SandboxSpec;
import io.sandboxops.core.api.SandboxSummary;
import io.sandboxops.core.api.SweepResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The one place the client's operation events are made, for every backend: a {@link SandboxBackend} whose sandboxes
 * are {@link ObservedSandbox}es, and whose own {@code create}, {@code open} ({@link #get}), {@code list} and
 * {@code sweep} are events too. Applied where backends are opened ({@code SandboxFactory} for library users, the
 * app's opener for {@code sandboxctl}, the console and the benchmarks), so no caller can skip it.
 */
public final class ObservedSandboxBackend implements SandboxBackend {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ObservedSandboxBackend.class);
    private final SandboxBackend delegate;
    private final SandboxEventSink sink;
    private final boolean ownsSink;

    private ObservedSandboxBackend(SandboxBackend delegate, SandboxEventSink sink, boolean ownsSink) {
        this.delegate = delegate;
        this.sink = sink;
        this.ownsSink = ownsSink;
    }

    /**
     * {@code backend} with its operations recorded to {@code sink}; a backend that is already observed is returned as
     * it is, so its events are never counted twice.
     *
     * @param ownsSink whether closing the backend closes the sink (flushing it); false when the sink is shared
     */
    public static SandboxBackend observe(SandboxBackend backend, SandboxEventSink sink, boolean ownsSink) {
        if (backend instanceof ObservedSandboxBackend) {
            if (ownsSink) {
                sink.close();
            }
            return backend;
        }
        return new ObservedSandboxBackend(backend, sink, ownsSink);
    }

    /** {@code sandbox} with its operations recorded to {@code sink}, for a sandbox opened without a backend at hand. */
    public static Sandbox observe(Sandbox sandbox, SandboxEventSink sink) {
        return sandbox instanceof ObservedSandbox ? sandbox : new ObservedSandbox(sandbox, sink);
    }

    /** The sandbox under the observer, for code that needs the backend's own type (a benchmark's raw comparison). */
    public static Sandbox unwrap(Sandbox sandbox) {
        return sandbox instanceof ObservedSandbox o ? o.delegate() : sandbox;
    }

    /** The backend under the observer. */
    public static SandboxBackend unwrap(SandboxBackend backend) {
        return backend instanceof ObservedSandboxBackend o ? o.delegate : backend;
    }

    public SandboxEventSink sink() {
        return sink;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public String mode() {
        return delegate.mode();
    }

    @Override
    public Sandbox create(SandboxSpec spec) {
        Sandbox created = timed("create", spec.sessionId().orElse(null), () -> delegate.create(spec), Sandbox::id);
        return new ObservedSandbox(created, sink);
    }

    @Override
    public Sandbox get(String sandboxId) {
        return new ObservedSandbox(timed("open", sandboxId, () -> delegate.get(sandboxId), Sandbox::id), sink);
    }

    @Override
    public List<SandboxSummary> list() {
        return timed("list", null, delegate::list, r -> null);
    }

    @Override
    public SweepResult sweepOrphans(Duration olderThan, Set<String> exclude) {
        return timed("sweep", null, () -> delegate.sweepOrphans(olderThan, exclude), r -> null);
    }

    @Override
    public PoolStatus poolStatus() {
        return delegate.poolStatus();
    }

    @Override
    public void close() {
        try {
            delegate.close();
        } finally {
            if (ownsSink) {
                sink.close();
            }
        }
    }

    /**
     * @param sandboxId the sandbox concerned when known before the call (a failed create with its id asked for)
     * @param idOf      the sandbox concerned, from the result
     */
    private <T> T timed(String operation, String sandboxId, Supplier<T> call, java.util.function.Function<T, String> idOf) {
        long start = System.nanoTime();
        try {
            T result = call.get();
            String id = idOf.apply(result);
            record(operation, SandboxEvent.Outcome.OK, start, id != null ? id : sandboxId);
            return result;
        } catch (RuntimeException | Error e) {
            record(operation, SandboxEvent.Outcome.of(e), start, sandboxId);
            throw e;
        }
    }

    private void record(String operation, SandboxEvent.Outcome outcome, long start, String sandboxId) {
        double ms = (System.nanoTime() - start) / 1e6;
        deliver(sink, () -> new SandboxEvent(Instant.now(), delegate.name(), delegate.mode(), operation, outcome, ms,
                sandboxId == null ? "" : SandboxEvent.sessionKey(sandboxId), OptionalInt.empty(), OptionalLong.empty()));
    }

    /** Makes and hands over an event; whatever goes wrong there is logged, never thrown into the operation. */
    static void deliver(SandboxEventSink sink, Supplier<SandboxEvent> event) {
        try {
            sink.record(event.get());
        } catch (RuntimeException e) {
            log.warn("a sandbox operation event could not be recorded (the operation is unaffected): {}", e.toString());
        }
    }
}
