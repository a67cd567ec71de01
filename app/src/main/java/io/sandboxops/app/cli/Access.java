package io.sandboxops.app.cli;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * What a verb does to the environment it works on. Every verb says it; {@link EnvironmentGuard} reads it before the
 * verb runs and refuses to run one that does not, so a new verb cannot skip the production and read-only rules.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@interface Access {
    Kind value();

    enum Kind {
        /** Reads only: never asks, works on a read-only environment. */
        READ,
        /**
         * Changes a sandbox, a session or the service: on a production environment it needs the service name typed (or
         * {@code --confirm NAME}), on a read-only one it is refused. The verb has {@code --env} and {@code --confirm}.
         */
        WRITE,
        /** Works on this machine only (the emulator, the Docker exec benchmark): there is no environment to guard. */
        LOCAL
    }

    /** A {@link Kind#WRITE} verb that writes only with some options ({@code --dry-run} off, {@code --advance} on). */
    interface Conditional {
        /** @return whether this invocation writes */
        boolean writes();
    }
}
