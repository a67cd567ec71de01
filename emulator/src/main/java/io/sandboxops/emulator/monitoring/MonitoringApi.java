package io.sandboxops.emulator.monitoring;

import com.google.api.MetricDescriptor;
import com.google.monitoring.v3.CreateMetricDescriptorRequest;
import com.google.monitoring.v3.CreateTimeSeriesRequest;
import com.google.monitoring.v3.DeleteMetricDescriptorRequest;
import com.google.monitoring.v3.GetMetricDescriptorRequest;
import com.google.monitoring.v3.ListMetricDescriptorsRequest;
import com.google.monitoring.v3.ListMetricDescriptorsResponse;
import com.google.monitoring.v3.ListTimeSeriesRequest;
import com.google.monitoring.v3.ListTimeSeriesResponse;
import com.google.monitoring.v3.MetricServiceGrpc;
import com.google.monitoring.v3.TimeSeries;
import com.google.protobuf.Empty;
import io.grpc.stub.StreamObserver;
import io.sandboxops.emulator.ApiError;
import io.sandboxops.emulator.run.ExecutionHistory;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cloud Monitoring v3 {@code MetricService}: ListTimeSeries over the Cloud Run job metrics computed from
 * the emulator's executions and over custom metrics; CreateTimeSeries; metric descriptors.
 */
public final class MonitoringApi extends MetricServiceGrpc.MetricServiceImplBase {

    private static final Pattern PROJECT = Pattern.compile("projects/[^/]+");
    private static final Pattern TYPE_FILTER = Pattern.compile(
            "\\s*metric\\.type\\s*=\\s*(?:starts_with\\(\\s*\"([^\"]*)\"\\s*\\)|\"([^\"]*)\")\\s*");

    private final BuiltInMetrics builtIn;
    private final MetricStore custom = new MetricStore();

    public MonitoringApi(ExecutionHistory history) {
        this.builtIn = new BuiltInMetrics(history);
    }

    @Override
    public void listTimeSeries(ListTimeSeriesRequest request, StreamObserver<ListTimeSeriesResponse> observer) {
        ApiError.respond(observer, () -> {
            String project = project(request.getName(), "name");
            MetricFilter filter = MetricFilter.parse(request.getFilter());
            if (!request.hasInterval() || !request.getInterval().hasEndTime()) {
                throw ApiError.invalidArgument("interval.end_time", "is required");
            }
            Instant end = Aggregator.instant(request.getInterval().getEndTime());
            Instant start = request.getInterval().hasStartTime() ? Aggregator.instant(request.getInterval().getStartTime()) : end;
            if (start.isAfter(end)) {
                throw ApiError.invalidArgument("interval.start_time", "must not be later than end_time");
            }
            boolean raw = !request.hasAggregation()
                    || request.getAggregation().getPerSeriesAligner() == com.google.monitoring.v3.Aggregation.Aligner.ALIGN_NONE;
            List<Series> candidates = BuiltInMetrics.isBuiltIn(filter.metricType())
                    ? builtIn.series(filter.metricType(), project, start, end, raw)
                    : custom.series(project, filter.metricType());
            List<Series> matching = candidates.stream().filter(filter::test).toList();
            List<TimeSeries> all = Aggregator.apply(matching, start, end, request.getAggregation(),
                    request.getView() == ListTimeSeriesRequest.TimeSeriesView.HEADERS);
            int size = request.getPageSize() <= 0 ? 10_000 : request.getPageSize();
            int from = offset(request.getPageToken());
            int to = Math.min(all.size(), from + size);
            ListTimeSeriesResponse.Builder out = ListTimeSeriesResponse.newBuilder();
            if (from < all.size()) {
                out.addAllTimeSeries(all.subList(from, to));
            }
            if (to < all.size()) {
                out.setNextPageToken(token(to));
            }
            return out.build();
        });
    }

    @Override
    public void createTimeSeries(CreateTimeSeriesRequest request, StreamObserver<Empty> observer) {
        ApiError.respond(observer, () -> {
            custom.write(project(request.getName(), "name"), request.getTimeSeriesList());
            return Empty.getDefaultInstance();
        });
    }

    @Override
    public void listMetricDescriptors(ListMetricDescriptorsRequest request, StreamObserver<ListMetricDescriptorsResponse> observer) {
        ApiError.respond(observer, () -> {
            String project = project(request.getName(), "name");
            List<MetricDescriptor> all = new ArrayList<>(BuiltInMetrics.descriptors(project));
            all.addAll(custom.descriptors(project));
            if (!request.getFilter().isBlank()) {
                Matcher m = TYPE_FILTER.matcher(request.getFilter());
                if (!m.matches()) {
                    throw ApiError.invalidArgument("filter", "only metric.type = \"...\" and metric.type = starts_with(\"...\") are supported");
                }
                all.removeIf(d -> m.group(1) != null ? !d.getType().startsWith(m.group(1)) : !d.getType().equals(m.group(2)));
            }
            return ListMetricDescriptorsResponse.newBuilder().addAllMetricDescriptors(all).build();
        });
    }

    @Override
    public void getMetricDescriptor(GetMetricDescriptorRequest request, StreamObserver<MetricDescriptor> observer) {
        ApiError.respond(observer, () -> {
            String name = request.getName();
            int idx = name.indexOf("/metricDescriptors/");
            if (idx < 0) {
                throw ApiError.invalidArgument("name", "'" + name + "' is not of the form projects/{project}/metricDescriptors/{type}");
            }
            String project = project(name.substring(0, idx), "name");
            for (MetricDescriptor d : BuiltInMetrics.descriptors(project)) {
                if (d.getName().equals(name)) {
                    return d;
                }
            }
            MetricDescriptor d = custom.descriptor(name);
            if (d == null) {
                throw ApiError.notFound("Could not find descriptor for metric '" + name.substring(idx + "/metricDescriptors/".length()) + "'.");
            }
            return d;
        });
    }

    @Override
    public void createMetricDescriptor(CreateMetricDescriptorRequest request, StreamObserver<MetricDescriptor> observer) {
        ApiError.respond(observer, () -> custom.create(project(request.getName(), "name"), request.getMetricDescriptor()));
    }

    @Override
    public void deleteMetricDescriptor(DeleteMetricDescriptorRequest request, StreamObserver<Empty> observer) {
        ApiError.respond(observer, () -> {
            if (!custom.delete(request.getName())) {
                throw ApiError.notFound("Could not find descriptor " + request.getName());
            }
            return Empty.getDefaultInstance();
        });
    }

    private static String project(String name, String field) {
        if (!PROJECT.matcher(name).matches()) {
            throw ApiError.invalidArgument(field, "'" + name + "' is not of the form projects/{project}");
        }
        return name;
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
