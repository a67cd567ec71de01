package io.sandboxops.app.console.environment;

import java.util.List;

/**
 * Where the switcher's environments come from. Today only {@code local}; the GCP environments file (project,
 * region, service, bucket, image) plugs in here as another implementation.
 */
@FunctionalInterface
public interface EnvironmentCatalog {

    /** @return the environments, {@code local} first */
    List<ConsoleEnvironment> environments();

    static EnvironmentCatalog localOnly() {
        return () -> List.of(ConsoleEnvironment.local());
    }
}
