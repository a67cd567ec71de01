package io.sandboxops.app.console.rollout;

/**
 * The rollout's health in one line of figures, for the strip every tab shows; each text is ready to show.
 *
 * @param flag       {@code on} or {@code off} (or what is wrong with it)
 * @param percentage the share of new sessions on Cloud Run, e.g. {@code 10 %}
 * @param step       the plan's step and the hold time left, e.g. {@code 10 % · 47h 12m left}
 * @param gate       the gate's verdict, e.g. {@code too few samples (3 of 100)}
 * @param errorRates canary against baseline, e.g. {@code Cloud Run 0.0 % (n=12) · Docker 0.0 % (n=40)}
 * @param lastChange who, when, why
 * @param alarm      whether something needs acting on (a breached gate, a canary worse than the baseline)
 */
public record RolloutHealth(String flag, String percentage, String step, String gate, String errorRates, String lastChange, boolean alarm) {

    public static final RolloutHealth UNKNOWN = new RolloutHealth("…", "…", "…", "…", "…", "…", false);
}
