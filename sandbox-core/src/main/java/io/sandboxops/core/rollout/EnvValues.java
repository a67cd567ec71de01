package io.sandboxops.core.rollout;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The two rollout variables as a service or revision holds them, raw ({@code null} when unset), so a
 * malformed value is shown rather than hidden.
 */
public record EnvValues(String flag, String percentage) {
    private static final Pattern DESCRIBED = Pattern.compile("flag=(true|false), (\\d{1,3}) %");

    /** The flag as the agent backend would read it; empty when malformed. */
    public Optional<Boolean> flagValue() {
        try {
            return Optional.of(RolloutSettings.parseFlag(flag));
        } catch (RolloutConfigurationException e) {
            return Optional.empty();
        }
    }

    /** The percentage as the agent backend would read it; empty when malformed. */
    public OptionalInt percentageValue() {
        try {
            return OptionalInt.of(RolloutSettings.parsePercentage(percentage));
        } catch (RolloutConfigurationException e) {
            return OptionalInt.empty();
        }
    }

    /** Whether no session gets Cloud Run: the rolled-back state. */
    public boolean isOff() {
        return flagValue().equals(Optional.of(false)) && percentageValue().equals(OptionalInt.of(0));
    }

    /** Whether a session can get Cloud Run at all. */
    public boolean routesToCloudRun() {
        return flagValue().orElse(false) && percentageValue().orElse(0) > 0;
    }

    /** {@code flag=true, 50 %}; unset and malformed values shown as such. */
    public String describe() {
        String f = flag == null ? "unset" : flagValue().map(String::valueOf).orElse("\"" + flag + "\" (invalid)");
        String p = percentage == null ? "unset" : percentageValue().isPresent() ? percentageValue().getAsInt() + " %"
                : "\"" + percentage + "\" (invalid)";
        return "flag=" + f + ", " + p;
    }

    /**
     * The values {@link #describe()} wrote, read back (the audit log keeps changes in that form); empty when
     * {@code described} is not such a line, e.g. an entry from the Cloud Audit Log, which carries no values.
     */
    public static Optional<EnvValues> fromDescription(String described) {
        Matcher m = DESCRIBED.matcher(described == null ? "" : described);
        return m.matches() ? Optional.of(new EnvValues(m.group(1), m.group(2))) : Optional.empty();
    }
}
