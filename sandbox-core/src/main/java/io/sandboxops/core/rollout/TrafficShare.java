package io.sandboxops.core.rollout;

/**
 * A revision and the share of requests it gets, as the service reports it.
 *
 * @param revision short revision name
 * @param percent  0–100
 * @param latest   whether the share is "latest ready revision" rather than pinned by name
 * @param tag      the traffic tag, empty when none
 */
public record TrafficShare(String revision, int percent, boolean latest, String tag) {
}
