package io.sandboxops.core.rollout;

import io.sandboxops.core.env.Actor;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the agent backend's Cloud Run service is doing about the rollout, read in one go.
 *
 * @param environment           the environment name, e.g. {@code prod}
 * @param service               full service name
 * @param template              the variables in the service template (what the next revision gets)
 * @param latestCreatedRevision short name
 * @param latestReadyRevision   short name
 * @param traffic               traffic as served, with "latest" resolved to the latest ready revision
 * @param serving               the variables each serving revision actually runs with
 * @param lastChange            when the service last changed
 * @param lastModifier          who changed it last, as Cloud Run records it
 * @param reconciling           whether Cloud Run is still applying a change
 */
public record RolloutStatus(String environment, String service, EnvValues template, String latestCreatedRevision,
                            String latestReadyRevision, List<TrafficShare> traffic, Map<String, EnvValues> serving,
                            Optional<Instant> lastChange, String lastModifier, boolean reconciling) {

    public RolloutStatus {
        traffic = List.copyOf(traffic);
        serving = Map.copyOf(serving);
    }

    /** The percent of traffic on {@code revision}. */
    public int shareOf(String revision) {
        return traffic.stream().filter(t -> t.revision().equals(revision)).mapToInt(TrafficShare::percent).sum();
    }

    /** Whether every serving revision runs with the flag off and 0 %: no new session gets Cloud Run. */
    public boolean servingIsOff() {
        return !serving.isEmpty() && serving.values().stream().allMatch(EnvValues::isOff);
    }

    /** The serving revisions' values when they agree, else empty (a split between revisions with different values). */
    public Optional<EnvValues> effective() {
        return serving.values().stream().distinct().count() == 1 ? serving.values().stream().findFirst() : Optional.empty();
    }

    /** Human lines for a terminal or a log. */
    public List<String> describe() {
        String split = describe(traffic);
        return List.of(
                "environment:     " + environment,
                "service:         " + service + (reconciling ? " (reconciling)" : ""),
                "template:        " + template.describe(),
                "serving:         " + effective().map(EnvValues::describe).orElse("split: " + serving),
                "traffic:         " + split,
                "latest ready:    " + latestReadyRevision + (latestReadyRevision.equals(latestCreatedRevision) ? ""
                        : " (latest created " + latestCreatedRevision + " is not ready)"),
                "last change:     " + lastChange.map(Instant::toString).orElse("unknown") + " by "
                        + Actor.recorded(lastModifier));
    }

    /** {@code r-00002 100 % (latest)}, comma-separated. */
    public static String describe(List<TrafficShare> traffic) {
        return traffic.isEmpty() ? "none reported" : String.join(", ", traffic.stream()
                .map(t -> t.revision() + " " + t.percent() + " %" + (t.latest() ? " (latest)" : " (pinned)")
                        + (t.tag().isEmpty() ? "" : " tag " + t.tag())).toList());
    }
}
