package io.sandboxops.core.rollout;

import java.util.ArrayList;
import java.util.List;

/**
 * What a change does that the plan does not, said before it is applied (the dry run, the console's review): steps it
 * skips, and a percentage set while the flag is off, which routes nothing. A change with warnings needs a reason.
 *
 * @param warnings one sentence each; empty when the change follows the plan
 */
public record ChangeReview(List<String> warnings) {

    public ChangeReview {
        warnings = List.copyOf(warnings);
    }

    /**
     * @param before the service's values now (the template, which the next revision gets)
     * @param after  the values the change sets
     */
    public static ChangeReview of(RolloutPlan plan, EnvValues before, EnvValues after) {
        List<String> out = new ArrayList<>();
        int from = before.routesToCloudRun() ? before.percentageValue().getAsInt() : 0;
        int to = after.routesToCloudRun() ? after.percentageValue().getAsInt() : 0;
        boolean flagOff = !after.flagValue().orElse(false);
        int newPercentage = after.percentageValue().orElse(0);
        if (flagOff && newPercentage > 0 && newPercentage != before.percentageValue().orElse(0)) {
            out.add("the flag stays off, so setting " + newPercentage + " % changes nothing: no session goes to Cloud Run "
                    + "until USE_CLOUDRUN_JOBS_SANDBOX is true");
        }
        if (to > from) {
            List<RolloutPlan.Step> skipped = plan.steps().stream()
                    .filter(s -> s.percentage() > from && s.percentage() < to).toList();
            if (!skipped.isEmpty()) {
                out.add("going from " + from + " % to " + to + " % skips the plan's " + String.join(", ", skipped.stream()
                        .map(s -> s.percentage() + " % step (hold " + s.hold().toHours() + " h)").toList())
                        + ": its gate never measures Cloud Run at " + (skipped.size() == 1 ? "that share" : "those shares"));
            }
        }
        return new ChangeReview(out);
    }

    /** Whether the change departs from the plan, and so needs a reason saying why. */
    public boolean needsReason() {
        return !warnings.isEmpty();
    }
}
