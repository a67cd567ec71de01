package io.sandboxops.core.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks tests that stop and start the local Docker engine (dockerd), which disturbs everything else using it.
 * They run only when asked for, with {@code SANDBOX_ALLOW_ENGINE_RESTART=true} or
 * {@code -Dsandbox.allowEngineRestart=true}, and only as root with dockerd a process of this machine
 * ({@link LocalDockerd}); otherwise they are skipped with the reason. When they are asked for and
 * {@code sandbox.requireDocker} is true (as in CI), an engine that cannot be restarted from here fails them.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag("engine-restart")
@ExtendWith(EngineRestartCondition.class)
public @interface RequiresEngineRestart {
}
