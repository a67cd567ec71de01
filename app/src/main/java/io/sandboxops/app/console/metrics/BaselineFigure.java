package io.sandboxops.app.console.metrics;

/**
 * One figure of the window for both backends, from the client's events: a row of the side-by-side table.
 *
 * @param id       for tests
 * @param figure   what is measured
 * @param docker   Docker's (the baseline's) value with its sample size
 * @param cloudRun Cloud Run's (the canary's) value with its sample size
 */
public record BaselineFigure(String id, String figure, String docker, String cloudRun) {
}
