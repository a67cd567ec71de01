package io.sandboxops.emulator.monitoring;

import com.google.api.MetricDescriptor;
import com.google.api.MetricDescriptor.MetricKind;
import com.google.api.MetricDescriptor.ValueType;
import com.google.monitoring.v3.Point;
import com.google.monitoring.v3.TimeSeries;
import io.sandboxops.emulator.ApiError;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Custom metrics written with CreateTimeSeries: their descriptors (created on first write, as the real
 * API does) and their points, per project.
 */
final class MetricStore {

    private record Key(String project, String metricType, Map<String, String> metricLabels, String resourceType,
                       Map<String, String> resourceLabels) {
    }

    private final Map<String, MetricDescriptor> descriptors = new TreeMap<>();
    private final Map<Key, List<Series.RawPoint>> points = new LinkedHashMap<>();

    synchronized void write(String project, List<TimeSeries> series) {
        if (series.isEmpty() || series.size() > 200) {
            throw ApiError.invalidArgument("time_series", "between 1 and 200 time series are required per request");
        }
        // Validate the whole request first: the real API rejects it whole.
        List<Runnable> writes = new ArrayList<>();
        for (int i = 0; i < series.size(); i++) {
            TimeSeries ts = series.get(i);
            String f = "time_series[" + i + "]";
            String type = ts.getMetric().getType();
            if (type.isEmpty()) {
                throw ApiError.invalidArgument(f + ".metric.type", "is required");
            }
            if (!type.startsWith("custom.googleapis.com/") && !type.startsWith("workload.googleapis.com/")
                    && !type.startsWith("external.googleapis.com/")) {
                throw ApiError.invalidArgument(f + ".metric.type", "'" + type + "' is not a custom metric type; only "
                        + "custom.googleapis.com/, workload.googleapis.com/ and external.googleapis.com/ can be written");
            }
            if (ts.getResource().getType().isEmpty()) {
                throw ApiError.invalidArgument(f + ".resource.type", "is required");
            }
            if (ts.getPointsCount() != 1) {
                throw ApiError.invalidArgument(f + ".points", "exactly one point is required per time series");
            }
            Point p = ts.getPoints(0);
            if (!p.getInterval().hasEndTime()) {
                throw ApiError.invalidArgument(f + ".points[0].interval.end_time", "is required");
            }
            MetricKind kind = ts.getMetricKind() == MetricKind.METRIC_KIND_UNSPECIFIED ? MetricKind.GAUGE : ts.getMetricKind();
            ValueType valueType = valueTypeOf(p);
            MetricDescriptor existing = descriptors.get(descriptorName(project, type));
            if (existing != null && (existing.getMetricKind() != kind || existing.getValueType() != valueType)) {
                throw ApiError.invalidArgument(f, "metric " + type + " is " + existing.getMetricKind() + "/" + existing.getValueType()
                        + ", the point is " + kind + "/" + valueType);
            }
            Instant end = Aggregator.instant(p.getInterval().getEndTime());
            Instant start = p.getInterval().hasStartTime() ? Aggregator.instant(p.getInterval().getStartTime()) : end;
            if (kind == MetricKind.GAUGE && !start.equals(end)) {
                throw ApiError.invalidArgument(f + ".points[0].interval.start_time", "must equal end_time for GAUGE metrics");
            }
            if (kind != MetricKind.GAUGE && !start.isBefore(end)) {
                throw ApiError.invalidArgument(f + ".points[0].interval.start_time", "must be earlier than end_time for " + kind + " metrics");
            }
            Key key = new Key(project, type, new TreeMap<>(ts.getMetric().getLabelsMap()), ts.getResource().getType(),
                    new TreeMap<>(ts.getResource().getLabelsMap()));
            List<Series.RawPoint> existingPoints = points.get(key);
            if (existingPoints != null && !existingPoints.isEmpty()
                    && !end.isAfter(existingPoints.get(existingPoints.size() - 1).end())) {
                throw ApiError.invalidArgument(f + ".points[0].interval.end_time", "Points must be written in order. "
                        + "One or more of the points specified had an older start time than the most recent point.");
            }
            writes.add(() -> {
                descriptors.computeIfAbsent(descriptorName(project, type), n -> MetricDescriptor.newBuilder()
                        .setName(n).setType(type).setMetricKind(kind).setValueType(valueType)
                        .setDisplayName(type.substring(type.lastIndexOf('/') + 1)).build());
                points.computeIfAbsent(key, k -> new ArrayList<>()).add(new Series.RawPoint(start, end, p.getValue()));
            });
        }
        writes.forEach(Runnable::run);
    }

    synchronized List<Series> series(String project, String type) {
        MetricDescriptor d = descriptors.get(descriptorName(project, type));
        if (d == null) {
            return List.of();
        }
        List<Series> out = new ArrayList<>();
        points.forEach((k, pts) -> {
            if (k.project().equals(project) && k.metricType().equals(type)) {
                out.add(new Series(type, k.metricLabels(), k.resourceType(), k.resourceLabels(), d.getMetricKind(),
                        d.getValueType(), List.copyOf(pts)));
            }
        });
        return out;
    }

    synchronized MetricDescriptor create(String project, MetricDescriptor d) {
        if (d.getType().isEmpty()) {
            throw ApiError.invalidArgument("metric_descriptor.type", "is required");
        }
        if (BuiltInMetrics.isBuiltIn(d.getType())) {
            throw ApiError.invalidArgument("metric_descriptor.type", "built-in metric types cannot be created");
        }
        if (d.getMetricKind() == MetricKind.METRIC_KIND_UNSPECIFIED || d.getValueType() == ValueType.VALUE_TYPE_UNSPECIFIED) {
            throw ApiError.invalidArgument("metric_descriptor.metric_kind", "metric_kind and value_type are required");
        }
        MetricDescriptor stored = d.toBuilder().setName(descriptorName(project, d.getType())).build();
        descriptors.put(stored.getName(), stored);
        return stored;
    }

    synchronized List<MetricDescriptor> descriptors(String project) {
        return descriptors.values().stream().filter(d -> d.getName().startsWith(project + "/")).toList();
    }

    synchronized MetricDescriptor descriptor(String name) {
        return descriptors.get(name);
    }

    synchronized boolean delete(String name) {
        MetricDescriptor d = descriptors.remove(name);
        if (d != null) {
            points.keySet().removeIf(k -> descriptorName(k.project(), k.metricType()).equals(name));
        }
        return d != null;
    }

    static String descriptorName(String project, String type) {
        return project + "/metricDescriptors/" + type;
    }

    private static ValueType valueTypeOf(Point p) {
        return switch (p.getValue().getValueCase()) {
            case INT64_VALUE -> ValueType.INT64;
            case DOUBLE_VALUE -> ValueType.DOUBLE;
            case BOOL_VALUE -> ValueType.BOOL;
            case STRING_VALUE -> ValueType.STRING;
            case DISTRIBUTION_VALUE -> ValueType.DISTRIBUTION;
            default -> throw ApiError.invalidArgument("time_series.points.value", "a value is required");
        };
    }
}
