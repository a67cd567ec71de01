package io.sandboxops.core.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks tests that need a real Docker engine. Without one they are skipped, with the reason printed;
 * with {@code -Dsandbox.requireDocker=true} (as CI runs) a missing engine fails them instead.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag("docker")
@ExtendWith(DockerAvailableCondition.class)
public @interface RequiresDocker {
}
