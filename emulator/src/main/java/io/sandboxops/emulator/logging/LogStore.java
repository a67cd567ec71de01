package io.sandboxops.emulator.logging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.audit.AuditLog;
import com.google.logging.v2.LogEntry;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Every log entry written to the emulator, by clients through WriteLogEntries and by the emulator itself
 * (task output, audit entries). Kept in memory, in arrival order; each entry also in its JSON form,
 * which is what filters are evaluated on.
 */
public final class LogStore {

    static final JsonFormat.TypeRegistry TYPES = JsonFormat.TypeRegistry.newBuilder()
            .add(AuditLog.getDescriptor())
            .build();
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().usingTypeRegistry(TYPES).omittingInsignificantWhitespace();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An entry as stored: the proto and its JSON form. */
    record Stored(long sequence, LogEntry entry, JsonNode json) {
    }

    /** Oldest entries are dropped past this, so a long-running local cloud with chatty tasks stays bounded. */
    static final int MAX_ENTRIES = 100_000;

    private final java.util.ArrayDeque<Stored> entries = new java.util.ArrayDeque<>();
    private final List<Consumer<Stored>> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong sequence = new AtomicLong();

    /** Stores an entry, filling in insertId, timestamp and receiveTimestamp as the service does. */
    public LogEntry write(LogEntry entry) {
        Instant now = Instant.now();
        long seq = sequence.incrementAndGet();
        LogEntry.Builder b = entry.toBuilder().setReceiveTimestamp(timestamp(now));
        if (!entry.hasTimestamp()) {
            b.setTimestamp(timestamp(now));
        }
        if (entry.getInsertId().isEmpty()) {
            b.setInsertId(Long.toString(now.toEpochMilli(), 36) + "-" + seq);
        }
        LogEntry stored = b.build();
        Stored s = new Stored(seq, stored, json(stored));
        synchronized (this) {
            entries.addLast(s);
            if (entries.size() > MAX_ENTRIES) {
                entries.removeFirst();
            }
        }
        listeners.forEach(l -> l.accept(s));
        return stored;
    }

    /** Entries of the given parents ({@code projects/p}) matching {@code filter}, oldest first. */
    synchronized List<LogEntry> query(List<String> resourceNames, LogFilter filter) {
        List<Stored> matched = new ArrayList<>();
        for (Stored s : entries) {
            if (inAny(s.entry().getLogName(), resourceNames) && filter.test(s.json())) {
                matched.add(s);
            }
        }
        matched.sort(Comparator.comparing((Stored s) -> s.entry().getTimestamp().getSeconds())
                .thenComparing(s -> s.entry().getTimestamp().getNanos())
                .thenComparing(Stored::sequence));
        return matched.stream().map(Stored::entry).toList();
    }

    synchronized Set<String> logNames(String parent) {
        Set<String> names = new TreeSet<>();
        for (Stored s : entries) {
            if (inAny(s.entry().getLogName(), List.of(parent))) {
                names.add(s.entry().getLogName());
            }
        }
        return names;
    }

    synchronized int deleteLog(String logName) {
        int before = entries.size();
        entries.removeIf(s -> s.entry().getLogName().equals(logName));
        return before - entries.size();
    }

    /** Calls {@code listener} with every entry written from now on; the returned handle stops it. */
    AutoCloseable subscribe(Consumer<Stored> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    static boolean inAny(String logName, List<String> parents) {
        for (String parent : parents) {
            if (logName.startsWith(parent + "/logs/")) {
                return true;
            }
        }
        return false;
    }

    static Timestamp timestamp(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }

    private static JsonNode json(LogEntry entry) {
        try {
            return JSON.readTree(PRINTER.print(entry));
        } catch (InvalidProtocolBufferException e) {
            // A payload of a type the registry does not know: match on the rest of the entry.
            try {
                return JSON.readTree(PRINTER.print(entry.toBuilder().clearProtoPayload().build()));
            } catch (IOException e2) {
                throw new UncheckedIOException(e2);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
