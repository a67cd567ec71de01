package io.sandboxops.emulator;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test that needs a real Docker engine: tagged {@code docker}, skipped with a reason when no
 * engine answers, unless {@code -Dsandbox.requireDocker=true}, where it runs and so fails.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag("docker")
@ExtendWith(DockerAvailableCondition.class)
public @interface RequiresDocker {
}
