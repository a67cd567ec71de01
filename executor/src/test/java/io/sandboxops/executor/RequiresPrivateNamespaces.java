package io.sandboxops.executor;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks tests that run the executor as a container would, in a private mount namespace as uid 1000
 * (run-in-namespace.bash): they need root, {@code unshare} and {@code setpriv}. Elsewhere they are skipped with
 * the reason; with {@code -Dsandbox.requireDocker=true} (CI, which runs as root) they run and fail loudly.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag("namespaces")
@ExtendWith(PrivateNamespacesCondition.class)
@interface RequiresPrivateNamespaces {
}
