package io.sandboxops.app.console.environment;

import io.sandboxops.app.console.dialog.ErrorMessages;
import io.sandboxops.core.env.Environments;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Where the switcher's environments come from: {@code local} and the GCP environments of the environments file. */
@FunctionalInterface
public interface EnvironmentCatalog {

    /** @return the environments, {@code local} first */
    List<ConsoleEnvironment> environments();

    /** @return why environments the person expects may be missing (an unreadable file), empty when none */
    default Optional<String> problem() {
        return Optional.empty();
    }

    static EnvironmentCatalog localOnly() {
        return () -> List.of(ConsoleEnvironment.local());
    }

    /**
     * The environments of {@code file} ({@link Environments#defaultFile()} in the application). A file that cannot
     * be read leaves {@code local} usable, and says what is wrong with it rather than refusing to start.
     */
    static EnvironmentCatalog fromFile(Path file) {
        List<ConsoleEnvironment> environments;
        Optional<String> problem;
        try {
            environments = Environments.load(file).all().stream().map(ConsoleEnvironment::of).toList();
            problem = Optional.empty();
        } catch (RuntimeException e) {
            environments = List.of(ConsoleEnvironment.local());
            problem = Optional.of("Only local is listed: " + ErrorMessages.describe(e));
        }
        List<ConsoleEnvironment> listed = environments;
        Optional<String> why = problem;
        return new EnvironmentCatalog() {
            @Override
            public List<ConsoleEnvironment> environments() {
                return listed;
            }

            @Override
            public Optional<String> problem() {
                return why;
            }
        };
    }
}
