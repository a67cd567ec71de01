package io.sandboxops.core.env;

import java.util.Map;

/**
 * Who made a change, as audit entries and status name them: the one rule for the console, {@code sandboxctl} and the
 * control plane, so every tool records the same name for the same person.
 */
public final class Actor {
    /** The environment variable that names the person acting, when the operating-system user is not them (CI, sudo). */
    public static final String ENV = "SANDBOXOPS_ACTOR";
    /** The name shown when nobody is recorded. */
    public static final String UNKNOWN = "unknown";

    private Actor() {
    }

    /** Who is acting here: {@code $SANDBOXOPS_ACTOR}, else the operating-system user, else {@value #UNKNOWN}. */
    public static String current() {
        return current(System.getenv(), System.getProperty("user.name"));
    }

    /** {@link #current()} from the given environment and operating-system user. */
    static String current(Map<String, String> env, String osUser) {
        String named = env.get(ENV);
        if (named != null && !named.isBlank()) {
            return named;
        }
        return recorded(osUser);
    }

    /** A recorded actor (a principal email, a {@code lastModifier}) as it is shown: {@value #UNKNOWN} when none is recorded. */
    public static String recorded(String actor) {
        return actor == null || actor.isBlank() ? UNKNOWN : actor;
    }
}
