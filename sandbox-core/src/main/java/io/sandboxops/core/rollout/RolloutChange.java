package io.sandboxops.core.rollout;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a change sets; a variable that is empty here is left exactly as it is.
 *
 * @param action     the name recorded in the audit log
 * @param flag       the new {@value RolloutSettings#FLAG}
 * @param percentage the new {@value RolloutSettings#PERCENTAGE}
 */
public record RolloutChange(String action, Optional<Boolean> flag, OptionalInt percentage) {

    public RolloutChange {
        percentage.ifPresent(p -> {
            if (p < 0 || p > 100) {
                throw new RolloutConfigurationException(RolloutSettings.PERCENTAGE, "must be an integer from 0 to 100, not " + p);
            }
        });
    }

    public static RolloutChange percentage(int percentage) {
        return new RolloutChange("set", Optional.empty(), OptionalInt.of(percentage));
    }

    public static RolloutChange enable() {
        return new RolloutChange("enable", Optional.of(true), OptionalInt.empty());
    }

    public static RolloutChange disable() {
        return new RolloutChange("disable", Optional.of(false), OptionalInt.empty());
    }

    /** Flag off and 0 % in one update: no new session gets Cloud Run whichever variable a reader looks at. */
    public static RolloutChange rollback() {
        return new RolloutChange("rollback", Optional.of(false), OptionalInt.of(0));
    }

    /**
     * Whether the change needs a passed, fresh preflight first ({@link ControlPlane#requirePreflight}): every change
     * but those that only take traffic away from Cloud Run, so stopping is always one step away.
     */
    public boolean needsPreflight() {
        return !action.equals("disable") && !action.equals("rollback");
    }

    /** The values after this change, given those before. */
    public EnvValues applyTo(EnvValues before) {
        return new EnvValues(flag.map(String::valueOf).orElse(before.flag()),
                percentage.isPresent() ? String.valueOf(percentage.getAsInt()) : before.percentage());
    }
}
