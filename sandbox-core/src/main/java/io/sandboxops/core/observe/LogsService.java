package io.sandboxops.core.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.gax.rpc.ClientStream;
import com.google.api.gax.rpc.ResponseObserver;
import com.google.api.gax.rpc.StreamController;
import com.google.logging.v2.ListLogEntriesRequest;
import com.google.logging.v2.LogEntry;
import com.google.logging.v2.TailLogEntriesRequest;
import com.google.logging.v2.TailLogEntriesResponse;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.ListValue;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.api.SandboxInvalidInputException;
import io.sandboxops.core.api.SandboxUnavailableException;
import io.sandboxops.core.env.GoogleClients;
import io.sandboxops.core.env.Secrets;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.function.Consumer;

/** Execution and backend logs from Cloud Logging: list, tail, and the prepared queries. */
public final class LogsService {
    /** Where the prepared queries live; the same file is shipped for operators to paste into Logs Explorer. */
    public static final String QUERIES_RESOURCE = "/deploy/log-queries.json";

    private final GoogleClients clients;

    public LogsService(GoogleClients clients) {
        this.clients = clients;
    }

    /** The original plan's queries: failed executions, executions over 10 s, state-store errors. */
    public static List<PreparedQuery> preparedQueries() {
        try (InputStream in = LogsService.class.getResourceAsStream(QUERIES_RESOURCE)) {
            if (in == null) {
                throw new SandboxException("the prepared log queries are missing from the classpath (" + QUERIES_RESOURCE + ")");
            }
            List<PreparedQuery> out = new ArrayList<>();
            for (JsonNode q : new ObjectMapper().readTree(in).path("queries")) {
                out.add(new PreparedQuery(q.path("name").asText(), q.path("description").asText(), q.path("filter").asText()));
            }
            return List.copyOf(out);
        } catch (IOException e) {
            throw new SandboxException("cannot read the prepared log queries: " + e.getMessage(), e);
        }
    }

    /** Every log entry of the sandbox jobs: what a listing shows unless asked for another query. */
    public static final PreparedQuery EXECUTIONS = new PreparedQuery("executions", "All sandbox executions",
            executionFilter("", Optional.empty(), Optional.empty()));
    /** The client's events ({@link SandboxEvent}): one per sandbox operation, on both backends. */
    public static final PreparedQuery CLIENT_EVENTS = new PreparedQuery("client-events",
            "Sandbox operations, both backends", "logName:\"" + SandboxEvent.LOG_ID + "\"");

    /**
     * The queries the console offers and {@code sandboxctl logs --query} takes, in this order: {@link #EXECUTIONS},
     * {@link #CLIENT_EVENTS}, then the {@link #preparedQueries()}.
     */
    public static List<PreparedQuery> queries() {
        List<PreparedQuery> all = new ArrayList<>(List.of(EXECUTIONS, CLIENT_EVENTS));
        all.addAll(preparedQueries());
        return List.copyOf(all);
    }

    /** The query of {@link #queries()} named {@code name}. */
    public static PreparedQuery preparedQuery(String name) {
        return queries().stream().filter(q -> q.name().equals(name)).findFirst()
                .orElseThrow(() -> new SandboxInvalidInputException("no prepared query \"" + name + "\"; there are: "
                        + String.join(", ", queries().stream().map(PreparedQuery::name).toList())));
    }

    /** A filter for one job's executions ({@code jobName} empty: every job), or one execution, at a least severity. */
    public static String executionFilter(String jobName, Optional<String> execution, Optional<String> minSeverity) {
        StringBuilder f = new StringBuilder("resource.type=\"cloud_run_job\"");
        if (!jobName.isEmpty()) {
            f.append(" AND resource.labels.job_name=\"").append(jobName).append('"');
        }
        execution.ifPresent(e -> f.append(" AND labels.\"run.googleapis.com/execution_name\"=\"").append(e).append('"'));
        minSeverity.ifPresent(s -> f.append(" AND severity>=").append(s));
        return f.toString();
    }

    /**
     * The newest {@code limit} entries matching {@code filter} since {@code since}, oldest first (reading order).
     * {@code since} matters: without it Cloud Logging looks only at the last 24 hours.
     */
    public List<LogLine> list(String filter, Instant since, int limit) {
        String full = "(" + filter + ") AND timestamp>=\"" + since + "\"";
        List<LogLine> out = new ArrayList<>();
        try {
            for (LogEntry e : clients.logging().listLogEntries(ListLogEntriesRequest.newBuilder()
                    .addResourceNames("projects/" + clients.target().projectId()).setFilter(full)
                    .setOrderBy("timestamp desc").setPageSize(Math.min(limit, 1000)).build()).iterateAll()) {
                if (out.size() >= limit) {
                    break;
                }
                out.add(line(e));
            }
        } catch (RuntimeException e) {
            throw new SandboxUnavailableException("cannot read logs (" + filter.replace('\n', ' ') + "): " + e.getMessage(), e);
        }
        Collections.reverse(out);
        return out;
    }

    /**
     * Streams new entries matching {@code filter} as they are written, until the returned handle is closed.
     *
     * @param onError told once if the stream ends by a failure (not when closed)
     */
    public AutoCloseable tail(String filter, Consumer<LogLine> onLine, Consumer<Throwable> onError) {
        StreamController[] controller = new StreamController[1];
        boolean[] closing = new boolean[1];
        ClientStream<TailLogEntriesRequest> stream = clients.logging().tailLogEntriesCallable().splitCall(
                new ResponseObserver<TailLogEntriesResponse>() {
                    @Override
                    public void onStart(StreamController c) {
                        controller[0] = c;
                    }

                    @Override
                    public void onResponse(TailLogEntriesResponse response) {
                        response.getEntriesList().forEach(e -> onLine.accept(line(e)));
                    }

                    @Override
                    public void onError(Throwable t) {
                        synchronized (closing) {
                            if (!closing[0]) {
                                onError.accept(t);
                            }
                        }
                    }

                    @Override
                    public void onComplete() {
                        // the server ends a tail only when we close it
                    }
                });
        stream.send(TailLogEntriesRequest.newBuilder().addResourceNames("projects/" + clients.target().projectId())
                .setFilter(filter).build());
        return () -> {
            synchronized (closing) {
                closing[0] = true;
            }
            stream.closeSend();
            if (controller[0] != null) {
                controller[0].cancel();
            }
        };
    }

    /**
     * An entry as a person reads it. The payload's known fields fill the columns (the client's events: event, backend,
     * session_key, operation, outcome, duration_ms, exit_code; the executor's log: event, session_id, op, duration_ms,
     * exit_code); a field of the wrong type stays in the message rather than failing the entry. Every string in the
     * payload is read through {@link Secrets#maskCommand}: executors and agents log commands and errors that quote them.
     */
    static LogLine line(LogEntry raw) {
        LogEntry e = masked(raw);
        Map<String, Value> rest = new LinkedHashMap<>();
        String message;
        String event = "";
        String backend = "";
        String session = "";
        String operation = "";
        String outcome = "";
        OptionalDouble duration = OptionalDouble.empty();
        OptionalLong exit = OptionalLong.empty();
        switch (e.getPayloadCase()) {
            case TEXT_PAYLOAD -> message = e.getTextPayload();
            case JSON_PAYLOAD -> {
                rest.putAll(e.getJsonPayload().getFieldsMap());
                event = take(rest, "event");
                backend = take(rest, "backend");
                session = take(rest, "session_key");
                if (session.isEmpty()) {
                    session = take(rest, "session_id");
                }
                operation = take(rest, "operation");
                if (operation.isEmpty()) {
                    operation = take(rest, "op");
                }
                outcome = take(rest, "outcome");
                duration = number(rest, "duration_ms", 1);
                if (duration.isEmpty()) {
                    duration = number(rest, "duration_seconds", 1000);
                }
                OptionalDouble code = number(rest, "exit_code", 1);
                exit = code.isPresent() && code.getAsDouble() == Math.rint(code.getAsDouble())
                        ? OptionalLong.of((long) code.getAsDouble()) : OptionalLong.empty();
                if (code.isPresent() && exit.isEmpty()) {
                    rest.put("exit_code", e.getJsonPayload().getFieldsOrThrow("exit_code"));
                }
                boolean known = rest.size() < e.getJsonPayload().getFieldsCount();
                String m = take(rest, "message");
                // The time and severity the executor writes are the entry's own; shown once, in their columns.
                rest.remove("time");
                rest.remove("severity");
                message = !m.isEmpty() ? m : known ? fields(rest) : json(e.getJsonPayload());
            }
            case PROTO_PAYLOAD -> message = e.getProtoPayload().getTypeUrl();
            default -> message = "";
        }
        String logId = e.getLogName().substring(e.getLogName().indexOf("/logs/") + 6).replace("%2F", "/");
        String resource = e.getResource().getLabelsOrDefault("job_name",
                e.getResource().getLabelsOrDefault("service_name", e.getResource().getType()));
        return new LogLine(Instant.ofEpochSecond(e.getTimestamp().getSeconds(), e.getTimestamp().getNanos()), e.getSeverity().name(),
                logId, resource, e.getLabelsOrDefault("run.googleapis.com/execution_name", ""), message, e.getInsertId(),
                event, backend, session, operation, outcome, duration, exit, pretty(e));
    }

    /** The entry with every string of its payload masked. */
    private static LogEntry masked(LogEntry e) {
        return switch (e.getPayloadCase()) {
            case TEXT_PAYLOAD -> e.toBuilder().setTextPayload(Secrets.maskCommand(e.getTextPayload())).build();
            case JSON_PAYLOAD -> e.toBuilder().setJsonPayload(masked(e.getJsonPayload())).build();
            default -> e;
        };
    }

    private static Struct masked(Struct s) {
        Struct.Builder out = Struct.newBuilder();
        s.getFieldsMap().forEach((k, v) -> out.putFields(k, masked(v)));
        return out.build();
    }

    private static Value masked(Value v) {
        return switch (v.getKindCase()) {
            case STRING_VALUE -> Value.newBuilder().setStringValue(Secrets.maskCommand(v.getStringValue())).build();
            case STRUCT_VALUE -> Value.newBuilder().setStructValue(masked(v.getStructValue())).build();
            case LIST_VALUE -> {
                ListValue.Builder l = ListValue.newBuilder();
                v.getListValue().getValuesList().forEach(x -> l.addValues(masked(x)));
                yield Value.newBuilder().setListValue(l).build();
            }
            default -> v;
        };
    }

    /** Removes and returns the field when it is a string (or a number, as text); else leaves it, and returns "". */
    private static String take(Map<String, Value> fields, String name) {
        Value v = fields.get(name);
        if (v == null) {
            return "";
        }
        if (v.hasStringValue()) {
            fields.remove(name);
            return v.getStringValue();
        }
        if (v.hasNumberValue()) {
            fields.remove(name);
            return number(v.getNumberValue());
        }
        return "";
    }

    /** Removes and returns the field, times {@code scale}, when it is a number or a string holding one; else leaves it. */
    private static OptionalDouble number(Map<String, Value> fields, String name, double scale) {
        Value v = fields.get(name);
        if (v == null) {
            return OptionalDouble.empty();
        }
        double d;
        if (v.hasNumberValue()) {
            d = v.getNumberValue();
        } else if (v.hasStringValue()) {
            try {
                d = Double.parseDouble(v.getStringValue().trim());
            } catch (NumberFormatException ex) {
                return OptionalDouble.empty();
            }
        } else {
            return OptionalDouble.empty();
        }
        if (!Double.isFinite(d)) {
            return OptionalDouble.empty();
        }
        fields.remove(name);
        return OptionalDouble.of(d * scale);
    }

    /** The fields no column shows, {@code name=value}, in the payload's order. */
    private static String fields(Map<String, Value> fields) {
        StringBuilder out = new StringBuilder();
        fields.forEach((k, v) -> {
            if (out.length() > 0) {
                out.append(' ');
            }
            out.append(k).append('=').append(switch (v.getKindCase()) {
                case STRING_VALUE -> v.getStringValue();
                case NUMBER_VALUE -> number(v.getNumberValue());
                case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
                case NULL_VALUE -> "null";
                default -> json(v);
            });
        });
        return out.toString();
    }

    private static String number(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    private static String json(MessageOrBuilder m) {
        try {
            return JsonFormat.printer().omittingInsignificantWhitespace().print(m);
        } catch (InvalidProtocolBufferException ex) {
            return m.toString();
        }
    }

    private static String pretty(LogEntry e) {
        try {
            return JsonFormat.printer().print(e);
        } catch (InvalidProtocolBufferException ex) {
            return e.toString();
        }
    }
}
