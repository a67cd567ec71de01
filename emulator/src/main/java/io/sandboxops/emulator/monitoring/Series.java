package io.sandboxops.emulator.monitoring;

import com.google.api.MetricDescriptor;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One time series before alignment: its identity, kind, value type and raw points in time order.
 * A raw point of a DELTA series covers (start, end]; a GAUGE point has start equal to end.
 */
record Series(String metricType, Map<String, String> metricLabels, String resourceType,
              Map<String, String> resourceLabels, MetricDescriptor.MetricKind kind,
              MetricDescriptor.ValueType valueType, List<RawPoint> points) {

    record RawPoint(Instant start, Instant end, com.google.monitoring.v3.TypedValue value) {
    }

    /** The value of {@code metric.label.X}, {@code resource.label.X} or a type, as filters and group-by name them. */
    String field(String name) {
        return switch (name) {
            case "metric.type" -> metricType;
            case "resource.type" -> resourceType;
            default -> {
                String[] parts = name.split("\\.", 3);
                if (parts.length == 3 && (parts[1].equals("label") || parts[1].equals("labels"))) {
                    String key = parts[2].startsWith("\"") ? parts[2].substring(1, parts[2].length() - 1) : parts[2];
                    if (parts[0].equals("metric")) {
                        yield metricLabels.get(key);
                    }
                    if (parts[0].equals("resource")) {
                        yield resourceLabels.get(key);
                    }
                }
                yield null;
            }
        };
    }
}
