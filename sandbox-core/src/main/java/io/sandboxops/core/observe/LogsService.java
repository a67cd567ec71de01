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
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.api.SandboxInvalidInputException;
import io.sandboxops.core.api.SandboxUnavailableException;
import io.sandboxops.core.env.GoogleClients;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
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

    public static PreparedQuery preparedQuery(String name) {
        return preparedQueries().stream().filter(q -> q.name().equals(name)).findFirst()
                .orElseThrow(() -> new SandboxInvalidInputException("no prepared query \"" + name + "\"; there are: "
                        + String.join(", ", preparedQueries().stream().map(PreparedQuery::name).toList())));
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

    static LogLine line(LogEntry e) {
        String message;
        switch (e.getPayloadCase()) {
            case TEXT_PAYLOAD -> message = e.getTextPayload();
            case JSON_PAYLOAD -> {
                Value m = e.getJsonPayload().getFieldsOrDefault("message", null);
                message = m != null && m.hasStringValue() ? m.getStringValue() : json(e);
            }
            case PROTO_PAYLOAD -> message = e.getProtoPayload().getTypeUrl();
            default -> message = "";
        }
        String logId = e.getLogName().substring(e.getLogName().indexOf("/logs/") + 6).replace("%2F", "/");
        String resource = e.getResource().getLabelsOrDefault("job_name",
                e.getResource().getLabelsOrDefault("service_name", e.getResource().getType()));
        return new LogLine(Instant.ofEpochSecond(e.getTimestamp().getSeconds(), e.getTimestamp().getNanos()), e.getSeverity().name(),
                logId, resource, e.getLabelsOrDefault("run.googleapis.com/execution_name", ""), message, e.getInsertId());
    }

    private static String json(LogEntry e) {
        try {
            return JsonFormat.printer().omittingInsignificantWhitespace().print(e.getJsonPayload());
        } catch (InvalidProtocolBufferException ex) {
            return e.getJsonPayload().toString();
        }
    }
}
