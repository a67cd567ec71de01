package io.sandboxops.app.console.environment;

import io.sandboxops.app.env.EnvironmentChecks;
import io.sandboxops.core.preflight.PreflightCheck;
import java.util.function.Consumer;

/** The preflight of an open environment ({@code sandboxctl env check}), run and recorded; blocking, off the UI thread. */
@FunctionalInterface
public interface EnvironmentCheck {
    EnvironmentChecks.Outcome run(Consumer<PreflightCheck> progress);
}
