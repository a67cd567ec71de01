package io.sandboxops.app.console.metrics;

import java.util.List;

/**
 * One chart of the metrics view: an indicator over the window, with its target and alert threshold as lines.
 *
 * @param id     for tests and styling, e.g. {@code successRate}
 * @param title  what is charted, with its unit
 * @param from   the window's start, epoch seconds: every chart of the window spans the same time
 * @param to     the window's end, epoch seconds
 * @param series the measured series, then the target and alert lines
 */
public record MetricChart(String id, String title, long from, long to, List<Series> series) {

    public MetricChart {
        series = List.copyOf(series);
    }

    /** What a line is: a measurement, or a bound the plan sets. */
    public enum Kind { MEASURED, TARGET, ALERT }

    /**
     * @param name   the legend's text
     * @param kind   how it is drawn: solid for measurements, dashed for the plan's target and alert threshold
     * @param points in time order; a bucket with nothing to measure has no point, so the line shows a gap
     */
    public record Series(String name, Kind kind, List<Point> points) {
        public Series {
            points = List.copyOf(points);
        }
    }

    /** @param epochSecond the end of the bucket the value was measured over */
    public record Point(long epochSecond, double value) {
    }
}
