package io.sandboxops.emulator.monitoring;

import com.google.api.Distribution;
import com.google.api.Metric;
import com.google.api.MetricDescriptor.MetricKind;
import com.google.api.MetricDescriptor.ValueType;
import com.google.api.MonitoredResource;
import com.google.monitoring.v3.Aggregation;
import com.google.monitoring.v3.Point;
import com.google.monitoring.v3.TimeInterval;
import com.google.monitoring.v3.TimeSeries;
import com.google.monitoring.v3.TypedValue;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Durations;
import io.sandboxops.emulator.ApiError;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Aligns raw series into windows ending at the interval's end, every {@code alignmentPeriod}, and
 * reduces across series grouped by labels, with the aligners and reducers the product uses. A point
 * belongs to the window its end time falls in; windows without data produce no point; points come
 * newest first, as the real API returns them.
 */
final class Aggregator {

    /** Cloud Monitoring refuses shorter periods with any aligner but ALIGN_NONE, which ignores the period. */
    private static final com.google.protobuf.Duration MIN_ALIGNMENT_PERIOD = Durations.fromSeconds(60);

    private Aggregator() {
    }

    private record Aligned(Series series, MetricKind kind, ValueType type, Map<Instant, TypedValue> points) {
    }

    static List<TimeSeries> apply(List<Series> raw, Instant start, Instant end, Aggregation agg, boolean headersOnly) {
        Aggregation.Aligner aligner = agg.getPerSeriesAligner();
        Aggregation.Reducer reducer = agg.getCrossSeriesReducer();
        if (aligner == Aggregation.Aligner.ALIGN_NONE || aligner == Aggregation.Aligner.UNRECOGNIZED) {
            if (reducer != Aggregation.Reducer.REDUCE_NONE) {
                throw ApiError.invalidArgument("aggregation.per_series_aligner", "a cross-series reducer needs a per-series aligner");
            }
            return raw.stream().filter(s -> !s.points().isEmpty()).map(s -> rawSeries(s, start, end, headersOnly)).toList();
        }
        if (!agg.hasAlignmentPeriod() || agg.getAlignmentPeriod().getSeconds() <= 0) {
            throw ApiError.invalidArgument("aggregation.alignment_period", "is required, and positive, with a per-series aligner");
        }
        if (Durations.compare(agg.getAlignmentPeriod(), MIN_ALIGNMENT_PERIOD) < 0) {
            throw ApiError.invalidValue("aggregation.alignmentPeriod", Durations.toString(agg.getAlignmentPeriod()),
                    "The alignment period must be at least 60 seconds.");
        }
        Duration period = Duration.ofSeconds(agg.getAlignmentPeriod().getSeconds(), agg.getAlignmentPeriod().getNanos());
        List<Instant> windowEnds = new ArrayList<>();
        for (Instant e = end; e.isAfter(start) && windowEnds.size() < 100_000; e = e.minus(period)) {
            windowEnds.add(e);
        }
        List<Aligned> aligned = new ArrayList<>();
        for (Series s : raw) {
            Aligned a = align(s, windowEnds, period, aligner);
            if (!a.points().isEmpty()) {
                aligned.add(a);
            }
        }
        List<Aligned> out = reducer == Aggregation.Reducer.REDUCE_NONE ? aligned : reduce(aligned, agg, reducer);
        return out.stream().map(a -> toProto(a, period, headersOnly)).toList();
    }

    private static TimeSeries rawSeries(Series s, Instant start, Instant end, boolean headersOnly) {
        TimeSeries.Builder b = header(s, s.kind(), s.valueType());
        if (!headersOnly) {
            List<Series.RawPoint> pts = new ArrayList<>(s.points());
            pts.sort(Comparator.comparing(Series.RawPoint::end).reversed());
            for (Series.RawPoint p : pts) {
                if (!p.end().isAfter(end) && !p.end().isBefore(start)) {
                    b.addPoints(Point.newBuilder().setInterval(interval(p.start(), p.end())).setValue(p.value()));
                }
            }
        }
        return b.build();
    }

    private static Aligned align(Series s, List<Instant> windowEnds, Duration period, Aggregation.Aligner aligner) {
        boolean gauge = s.kind() == MetricKind.GAUGE;
        boolean dist = s.valueType() == ValueType.DISTRIBUTION;
        List<Series.RawPoint> points = s.kind() == MetricKind.CUMULATIVE ? cumulativeToDelta(s.points()) : s.points();
        MetricKind outKind;
        ValueType outType;
        switch (aligner) {
            case ALIGN_DELTA -> {
                requireNot(gauge, aligner, "GAUGE");
                outKind = MetricKind.DELTA;
                outType = s.valueType();
            }
            case ALIGN_RATE -> {
                requireNot(gauge, aligner, "GAUGE");
                requireNot(dist, aligner, "DISTRIBUTION");
                outKind = MetricKind.GAUGE;
                outType = ValueType.DOUBLE;
            }
            case ALIGN_SUM -> {
                outKind = gauge ? MetricKind.GAUGE : MetricKind.DELTA;
                outType = s.valueType();
            }
            case ALIGN_MEAN -> {
                requireNot(dist, aligner, "DISTRIBUTION");
                outKind = MetricKind.GAUGE;
                outType = ValueType.DOUBLE;
            }
            case ALIGN_MAX, ALIGN_MIN, ALIGN_NEXT_OLDER -> {
                requireNot(dist && aligner != Aggregation.Aligner.ALIGN_NEXT_OLDER, aligner, "DISTRIBUTION");
                outKind = MetricKind.GAUGE;
                outType = s.valueType();
            }
            case ALIGN_COUNT -> {
                outKind = MetricKind.GAUGE;
                outType = ValueType.INT64;
            }
            case ALIGN_PERCENTILE_99, ALIGN_PERCENTILE_95, ALIGN_PERCENTILE_50, ALIGN_PERCENTILE_05 -> {
                if (!dist) {
                    throw ApiError.invalidArgument("aggregation.per_series_aligner",
                            aligner + " applies to DISTRIBUTION metrics only, not " + s.valueType());
                }
                outKind = MetricKind.GAUGE;
                outType = ValueType.DOUBLE;
            }
            default -> throw ApiError.invalidArgument("aggregation.per_series_aligner", aligner + " is not supported by the emulator");
        }
        Map<Instant, TypedValue> out = new LinkedHashMap<>();
        for (Instant we : windowEnds) {
            Instant ws = we.minus(period);
            List<TypedValue> in = new ArrayList<>();
            for (Series.RawPoint p : points) {
                if (p.end().isAfter(ws) && !p.end().isAfter(we)) {
                    in.add(p.value());
                }
            }
            if (in.isEmpty()) {
                continue;
            }
            out.put(we, switch (aligner) {
                case ALIGN_DELTA, ALIGN_SUM -> sum(in, s.valueType());
                case ALIGN_RATE -> dbl(sumDouble(in) / (period.toNanos() / 1e9));
                case ALIGN_MEAN -> dbl(sumDouble(in) / in.size());
                case ALIGN_MAX -> in.stream().max(Comparator.comparingDouble(Aggregator::number)).orElseThrow();
                case ALIGN_MIN -> in.stream().min(Comparator.comparingDouble(Aggregator::number)).orElseThrow();
                case ALIGN_NEXT_OLDER -> in.get(in.size() - 1);
                case ALIGN_COUNT -> TypedValue.newBuilder().setInt64Value(in.size()).build();
                case ALIGN_PERCENTILE_99 -> dbl(Distributions.percentile(mergeAll(in), 99));
                case ALIGN_PERCENTILE_95 -> dbl(Distributions.percentile(mergeAll(in), 95));
                case ALIGN_PERCENTILE_50 -> dbl(Distributions.percentile(mergeAll(in), 50));
                case ALIGN_PERCENTILE_05 -> dbl(Distributions.percentile(mergeAll(in), 5));
                default -> throw new IllegalStateException(aligner.toString());
            });
        }
        return new Aligned(s, outKind, outType, out);
    }

    private static List<Aligned> reduce(List<Aligned> aligned, Aggregation agg, Aggregation.Reducer reducer) {
        Map<List<String>, List<Aligned>> groups = new LinkedHashMap<>();
        for (Aligned a : aligned) {
            List<String> key = new ArrayList<>();
            for (String f : agg.getGroupByFieldsList()) {
                key.add(String.valueOf(a.series().field(f)));
            }
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(a);
        }
        List<Aligned> out = new ArrayList<>();
        for (List<Aligned> group : groups.values()) {
            Aligned first = group.get(0);
            Map<String, String> metricLabels = new TreeMap<>();
            Map<String, String> resourceLabels = new TreeMap<>();
            for (String f : agg.getGroupByFieldsList()) {
                String v = first.series().field(f);
                String[] parts = f.split("\\.", 3);
                if (v != null && parts.length == 3) {
                    (parts[0].equals("metric") ? metricLabels : resourceLabels).put(parts[2], v);
                }
            }
            ValueType type = switch (reducer) {
                case REDUCE_MEAN, REDUCE_PERCENTILE_99, REDUCE_PERCENTILE_95, REDUCE_PERCENTILE_50, REDUCE_PERCENTILE_05 -> ValueType.DOUBLE;
                case REDUCE_COUNT -> ValueType.INT64;
                case REDUCE_SUM, REDUCE_MAX, REDUCE_MIN -> first.type();
                default -> throw ApiError.invalidArgument("aggregation.cross_series_reducer", reducer + " is not supported by the emulator");
            };
            if (first.type() == ValueType.DISTRIBUTION && reducer != Aggregation.Reducer.REDUCE_SUM
                    && reducer != Aggregation.Reducer.REDUCE_COUNT) {
                throw ApiError.invalidArgument("aggregation.cross_series_reducer", reducer + " does not apply to DISTRIBUTION values");
            }
            Map<Instant, List<TypedValue>> byWindow = new TreeMap<>(Comparator.reverseOrder());
            for (Aligned a : group) {
                a.points().forEach((t, v) -> byWindow.computeIfAbsent(t, k -> new ArrayList<>()).add(v));
            }
            Map<Instant, TypedValue> points = new LinkedHashMap<>();
            byWindow.forEach((t, values) -> points.put(t, switch (reducer) {
                case REDUCE_SUM -> sum(values, first.type());
                case REDUCE_MEAN -> dbl(sumDouble(values) / values.size());
                case REDUCE_MAX -> values.stream().max(Comparator.comparingDouble(Aggregator::number)).orElseThrow();
                case REDUCE_MIN -> values.stream().min(Comparator.comparingDouble(Aggregator::number)).orElseThrow();
                case REDUCE_COUNT -> TypedValue.newBuilder().setInt64Value(values.size()).build();
                case REDUCE_PERCENTILE_99 -> dbl(nearestRank(values, 99));
                case REDUCE_PERCENTILE_95 -> dbl(nearestRank(values, 95));
                case REDUCE_PERCENTILE_50 -> dbl(nearestRank(values, 50));
                case REDUCE_PERCENTILE_05 -> dbl(nearestRank(values, 5));
                default -> throw new IllegalStateException(reducer.toString());
            }));
            Series s = first.series();
            out.add(new Aligned(new Series(s.metricType(), metricLabels, s.resourceType(), resourceLabels, first.kind(), type, List.of()),
                    first.kind(), type, points));
        }
        return out;
    }

    private static TimeSeries toProto(Aligned a, Duration period, boolean headersOnly) {
        TimeSeries.Builder b = header(a.series(), a.kind(), a.type());
        if (!headersOnly) {
            List<Instant> ends = new ArrayList<>(a.points().keySet());
            ends.sort(Comparator.reverseOrder());
            for (Instant e : ends) {
                Instant s = a.kind() == MetricKind.GAUGE ? e : e.minus(period);
                b.addPoints(Point.newBuilder().setInterval(interval(s, e)).setValue(a.points().get(e)));
            }
        }
        return b.build();
    }

    private static TimeSeries.Builder header(Series s, MetricKind kind, ValueType type) {
        return TimeSeries.newBuilder()
                .setMetric(Metric.newBuilder().setType(s.metricType()).putAllLabels(s.metricLabels()))
                .setResource(MonitoredResource.newBuilder().setType(s.resourceType()).putAllLabels(s.resourceLabels()))
                .setMetricKind(kind)
                .setValueType(type);
    }

    /** A cumulative series as the deltas between consecutive points; a counter reset starts afresh. */
    private static List<Series.RawPoint> cumulativeToDelta(List<Series.RawPoint> points) {
        List<Series.RawPoint> out = new ArrayList<>();
        for (int i = 1; i < points.size(); i++) {
            Series.RawPoint prev = points.get(i - 1);
            Series.RawPoint cur = points.get(i);
            boolean reset = !cur.start().equals(prev.start());
            TypedValue v = cur.value();
            if (!reset && v.hasInt64Value()) {
                v = TypedValue.newBuilder().setInt64Value(v.getInt64Value() - prev.value().getInt64Value()).build();
            } else if (!reset && v.hasDoubleValue()) {
                v = dbl(v.getDoubleValue() - prev.value().getDoubleValue());
            }
            out.add(new Series.RawPoint(prev.end(), cur.end(), v));
        }
        return out;
    }

    private static void requireNot(boolean condition, Aggregation.Aligner aligner, String what) {
        if (condition) {
            throw ApiError.invalidArgument("aggregation.per_series_aligner", aligner + " cannot be applied to " + what + " metrics");
        }
    }

    private static TypedValue sum(List<TypedValue> values, ValueType type) {
        return switch (type) {
            case INT64 -> TypedValue.newBuilder().setInt64Value(values.stream().mapToLong(TypedValue::getInt64Value).sum()).build();
            case DISTRIBUTION -> TypedValue.newBuilder().setDistributionValue(mergeAll(values)).build();
            default -> dbl(sumDouble(values));
        };
    }

    private static Distribution mergeAll(List<TypedValue> values) {
        return Distributions.merge(values.stream().map(TypedValue::getDistributionValue).toList());
    }

    private static double sumDouble(List<TypedValue> values) {
        return values.stream().mapToDouble(Aggregator::number).sum();
    }

    private static double nearestRank(List<TypedValue> values, double p) {
        List<Double> sorted = values.stream().map(Aggregator::number).sorted().toList();
        int idx = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, idx)));
    }

    static double number(TypedValue v) {
        return switch (v.getValueCase()) {
            case INT64_VALUE -> v.getInt64Value();
            case DOUBLE_VALUE -> v.getDoubleValue();
            case BOOL_VALUE -> v.getBoolValue() ? 1 : 0;
            case DISTRIBUTION_VALUE -> v.getDistributionValue().getMean();
            default -> 0;
        };
    }

    static TypedValue dbl(double d) {
        return TypedValue.newBuilder().setDoubleValue(d).build();
    }

    static TimeInterval interval(Instant start, Instant end) {
        return TimeInterval.newBuilder().setStartTime(ts(start)).setEndTime(ts(end)).build();
    }

    static Timestamp ts(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }

    static Instant instant(Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }
}
