package io.sandboxops.app.console.rollout;

/** Who is acting, for the audit log: the same rule as {@code sandboxctl}, so both tools record the same name. */
public final class Actor {
    private Actor() {
    }

    /** @return $SANDBOXOPS_ACTOR, else the operating-system user */
    public static String current() {
        String a = System.getenv("SANDBOXOPS_ACTOR");
        return a != null && !a.isBlank() ? a : System.getProperty("user.name", "unknown");
    }
}
