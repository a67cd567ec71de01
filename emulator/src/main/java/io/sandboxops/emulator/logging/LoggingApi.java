package io.sandboxops.emulator.logging;

import com.google.api.MonitoredResource;
import com.google.logging.v2.DeleteLogRequest;
import com.google.logging.v2.ListLogEntriesRequest;
import com.google.logging.v2.ListLogEntriesResponse;
import com.google.logging.v2.ListLogsRequest;
import com.google.logging.v2.ListLogsResponse;
import com.google.logging.v2.LogEntry;
import com.google.logging.v2.LoggingServiceV2Grpc;
import com.google.logging.v2.TailLogEntriesRequest;
import com.google.logging.v2.TailLogEntriesResponse;
import com.google.logging.v2.WriteLogEntriesRequest;
import com.google.logging.v2.WriteLogEntriesResponse;
import com.google.protobuf.Empty;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.sandboxops.emulator.ApiError;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;

/** Cloud Logging v2 {@code LoggingServiceV2}: write, list (with filters), list logs, delete a log, tail. */
public final class LoggingApi extends LoggingServiceV2Grpc.LoggingServiceV2ImplBase {

    private static final Pattern LOG_NAME = Pattern.compile("(projects|organizations|folders|billingAccounts)/[^/]+/logs/[^/]+");
    private static final Pattern PARENT = Pattern.compile("(projects|organizations|folders|billingAccounts)/[^/]+");

    private final LogStore store;

    public LoggingApi(LogStore store) {
        this.store = store;
    }

    @Override
    public void writeLogEntries(WriteLogEntriesRequest request, StreamObserver<WriteLogEntriesResponse> observer) {
        ApiError.respond(observer, () -> {
            if (request.getEntriesCount() == 0) {
                throw ApiError.invalidArgument("entries", "at least one entry is required");
            }
            List<LogEntry> ready = new ArrayList<>();
            for (int i = 0; i < request.getEntriesCount(); i++) {
                LogEntry e = request.getEntries(i);
                LogEntry.Builder b = e.toBuilder();
                if (e.getLogName().isEmpty()) {
                    b.setLogName(request.getLogName());
                }
                if (!LOG_NAME.matcher(b.getLogName()).matches()) {
                    throw ApiError.invalidArgument(e.getLogName().isEmpty() ? "log_name" : "entries[" + i + "].log_name",
                            "'" + b.getLogName() + "' is not of the form projects/{project}/logs/{log_id}");
                }
                if (!e.hasResource()) {
                    if (!request.hasResource() || request.getResource().getType().isEmpty()) {
                        throw ApiError.invalidArgument("entries[" + i + "].resource", "a monitored resource is required");
                    }
                    b.setResource(request.getResource());
                } else if (request.hasResource()) {
                    MonitoredResource.Builder r = e.getResource().toBuilder();
                    request.getResource().getLabelsMap().forEach((k, v) -> {
                        if (!r.containsLabels(k)) {
                            r.putLabels(k, v);
                        }
                    });
                    b.setResource(r);
                }
                request.getLabelsMap().forEach((k, v) -> {
                    if (!b.containsLabels(k)) {
                        b.putLabels(k, v);
                    }
                });
                ready.add(b.build());
            }
            if (!request.getDryRun()) {
                ready.forEach(store::write);
            }
            return WriteLogEntriesResponse.getDefaultInstance();
        });
    }

    @Override
    public void listLogEntries(ListLogEntriesRequest request, StreamObserver<ListLogEntriesResponse> observer) {
        ApiError.respond(observer, () -> {
            List<String> parents = parents(request.getResourceNamesList());
            LogFilter filter = LogFilter.parse(request.getFilter());
            List<LogEntry> all = new ArrayList<>(store.query(parents, filter));
            String order = request.getOrderBy().trim().toLowerCase(java.util.Locale.ROOT);
            if (order.equals("timestamp desc")) {
                Collections.reverse(all);
            } else if (!order.isEmpty() && !order.equals("timestamp asc") && !order.equals("timestamp")) {
                throw ApiError.invalidArgument("order_by", "only \"timestamp asc\" and \"timestamp desc\" are supported");
            }
            if (request.getPageSize() < 0) {
                throw ApiError.invalidArgument("page_size", "must not be negative");
            }
            int size = request.getPageSize() == 0 ? 50 : Math.min(request.getPageSize(), 1000);
            int from = offset(request.getPageToken());
            int to = Math.min(all.size(), from + size);
            ListLogEntriesResponse.Builder out = ListLogEntriesResponse.newBuilder();
            if (from < all.size()) {
                out.addAllEntries(all.subList(from, to));
            }
            if (to < all.size()) {
                out.setNextPageToken(token(to));
            }
            return out.build();
        });
    }

    @Override
    public void listLogs(ListLogsRequest request, StreamObserver<ListLogsResponse> observer) {
        ApiError.respond(observer, () -> {
            if (!PARENT.matcher(request.getParent()).matches()) {
                throw ApiError.invalidArgument("parent", "'" + request.getParent() + "' is not of the form projects/{project}");
            }
            List<String> names = new ArrayList<>(store.logNames(request.getParent()));
            int size = request.getPageSize() <= 0 ? 1000 : request.getPageSize();
            int from = offset(request.getPageToken());
            int to = Math.min(names.size(), from + size);
            ListLogsResponse.Builder out = ListLogsResponse.newBuilder();
            if (from < names.size()) {
                out.addAllLogNames(names.subList(from, to));
            }
            if (to < names.size()) {
                out.setNextPageToken(token(to));
            }
            return out.build();
        });
    }

    @Override
    public void deleteLog(DeleteLogRequest request, StreamObserver<Empty> observer) {
        ApiError.respond(observer, () -> {
            if (!LOG_NAME.matcher(request.getLogName()).matches()) {
                throw ApiError.invalidArgument("log_name", "'" + request.getLogName() + "' is not a log name");
            }
            if (store.deleteLog(request.getLogName()) == 0) {
                throw ApiError.notFound("Log " + request.getLogName() + " does not exist");
            }
            return Empty.getDefaultInstance();
        });
    }

    /**
     * Streams entries written after the first request arrives that match its filter, until the client
     * half-closes or cancels.
     */
    @Override
    public StreamObserver<TailLogEntriesRequest> tailLogEntries(StreamObserver<TailLogEntriesResponse> responses) {
        ServerCallStreamObserver<TailLogEntriesResponse> out = (ServerCallStreamObserver<TailLogEntriesResponse>) responses;
        class Tail implements StreamObserver<TailLogEntriesRequest> {
            private volatile AutoCloseable subscription;
            private boolean closed;

            @Override
            public void onNext(TailLogEntriesRequest request) {
                if (subscription != null) {
                    return;
                }
                List<String> parents;
                LogFilter filter;
                try {
                    parents = parents(request.getResourceNamesList());
                    filter = LogFilter.parse(request.getFilter());
                } catch (ApiError e) {
                    finish(e);
                    return;
                }
                subscription = store.subscribe(s -> {
                    if (LogStore.inAny(s.entry().getLogName(), parents) && filter.test(s.json())) {
                        synchronized (out) {
                            if (!closed && !out.isCancelled()) {
                                out.onNext(TailLogEntriesResponse.newBuilder().addEntries(s.entry()).build());
                            }
                        }
                    }
                });
            }

            @Override
            public void onError(Throwable t) {
                unsubscribe();
            }

            @Override
            public void onCompleted() {
                finish(null);
            }

            private void finish(ApiError error) {
                unsubscribe();
                synchronized (out) {
                    if (closed) {
                        return;
                    }
                    closed = true;
                    if (error != null) {
                        out.onError(error.toStatusException());
                    } else if (!out.isCancelled()) {
                        out.onCompleted();
                    }
                }
            }

            void unsubscribe() {
                if (subscription != null) {
                    try {
                        subscription.close();
                    } catch (Exception ignored) {
                        // Removing a listener cannot fail.
                    }
                }
            }
        }
        Tail tail = new Tail();
        // Only settable before this method returns; a client that goes away must stop the subscription.
        out.setOnCancelHandler(tail::unsubscribe);
        return tail;
    }

    private static List<String> parents(List<String> resourceNames) {
        if (resourceNames.isEmpty()) {
            throw ApiError.invalidArgument("resource_names", "at least one resource name is required");
        }
        for (int i = 0; i < resourceNames.size(); i++) {
            if (!PARENT.matcher(resourceNames.get(i)).matches()) {
                throw ApiError.invalidArgument("resource_names[" + i + "]",
                        "'" + resourceNames.get(i) + "' is not of the form projects/{project}");
            }
        }
        return resourceNames;
    }

    private static int offset(String token) {
        if (token.isEmpty()) {
            return 0;
        }
        try {
            return Integer.parseInt(new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw ApiError.invalidArgument("page_token", "invalid page token");
        }
    }

    private static String token(int offset) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(String.valueOf(offset).getBytes(StandardCharsets.UTF_8));
    }
}
