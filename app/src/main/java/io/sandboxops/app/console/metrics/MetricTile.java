package io.sandboxops.app.console.metrics;

/**
 * One indicator over the whole window, for the row above the charts.
 *
 * @param id     for tests and styling
 * @param label  the indicator
 * @param value  the value with its unit, or "no data"
 * @param level  against the plan's target and alert threshold
 * @param detail the target, the threshold and the sample size, for the tooltip
 */
public record MetricTile(String id, String label, String value, Level level, String detail) {

    public enum Level { OK, WARNING, CRITICAL, NO_DATA, INFO }
}
