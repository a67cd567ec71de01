package io.sandboxops.app.console.rollout;

/**
 * One revision's share of the service's traffic.
 *
 * @param revision short revision name
 * @param percent  0–100
 * @param detail   latest or pinned, its tag, and the rollout values it runs with
 */
public record TrafficRow(String revision, int percent, String detail) {
}
