package io.sandboxops.app.console.metrics;

/**
 * One of the plan's comparisons of Cloud Run with Docker over the window.
 *
 * @param id      for tests and styling
 * @param name    e.g. "latency p99 vs Docker"
 * @param verdict the check's verdict
 * @param summary both values with their n, the threshold, the test and its p-value
 * @param detail  why it breached or cannot pass yet, in plain words; empty for a pass
 */
public record ComparisonCheck(String id, String name, Verdict verdict, String summary, String detail) {

    public enum Verdict { PASS, BREACH, INSUFFICIENT_DATA }
}
