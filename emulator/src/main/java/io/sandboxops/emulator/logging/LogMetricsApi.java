package io.sandboxops.emulator.logging;

import com.google.logging.v2.CreateLogMetricRequest;
import com.google.logging.v2.DeleteLogMetricRequest;
import com.google.logging.v2.GetLogMetricRequest;
import com.google.logging.v2.ListLogMetricsRequest;
import com.google.logging.v2.ListLogMetricsResponse;
import com.google.logging.v2.LogMetric;
import com.google.logging.v2.MetricsServiceV2Grpc;
import com.google.logging.v2.UpdateLogMetricRequest;
import com.google.protobuf.Empty;
import io.grpc.stub.StreamObserver;
import io.sandboxops.emulator.ApiError;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code google.logging.v2.MetricsServiceV2}: log-based metric definitions, kept in memory per project. The emulator
 * stores them so that tools can create and check them; its Monitoring answers do not compute their series.
 */
public final class LogMetricsApi extends MetricsServiceV2Grpc.MetricsServiceV2ImplBase {
    private final Map<String, LogMetric> metrics = new TreeMap<>();

    @Override
    public synchronized void listLogMetrics(ListLogMetricsRequest request, StreamObserver<ListLogMetricsResponse> observer) {
        ApiError.respond(observer, () -> ListLogMetricsResponse.newBuilder()
                .addAllMetrics(metrics.entrySet().stream().filter(e -> e.getKey().startsWith(request.getParent() + "/metrics/"))
                        .map(Map.Entry::getValue).toList()).build());
    }

    @Override
    public synchronized void getLogMetric(GetLogMetricRequest request, StreamObserver<LogMetric> observer) {
        ApiError.respond(observer, () -> find(request.getMetricName()));
    }

    @Override
    public synchronized void createLogMetric(CreateLogMetricRequest request, StreamObserver<LogMetric> observer) {
        ApiError.respond(observer, () -> {
            if (request.getMetric().getName().isEmpty()) {
                throw ApiError.invalidArgument("metric.name", "A log metric needs a name.");
            }
            String key = request.getParent() + "/metrics/" + request.getMetric().getName();
            if (metrics.containsKey(key)) {
                throw ApiError.alreadyExists("Metric " + request.getMetric().getName() + " already exists.");
            }
            metrics.put(key, request.getMetric());
            return request.getMetric();
        });
    }

    @Override
    public synchronized void updateLogMetric(UpdateLogMetricRequest request, StreamObserver<LogMetric> observer) {
        ApiError.respond(observer, () -> {
            metrics.put(request.getMetricName(), request.getMetric());
            return request.getMetric();
        });
    }

    @Override
    public synchronized void deleteLogMetric(DeleteLogMetricRequest request, StreamObserver<Empty> observer) {
        ApiError.respond(observer, () -> {
            find(request.getMetricName());
            metrics.remove(request.getMetricName());
            return Empty.getDefaultInstance();
        });
    }

    private LogMetric find(String name) {
        LogMetric m = metrics.get(name);
        if (m == null) {
            throw ApiError.notFound("Metric " + name.substring(name.lastIndexOf('/') + 1) + " does not exist.");
        }
        return m;
    }
}
