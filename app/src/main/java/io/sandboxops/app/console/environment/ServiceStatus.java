package io.sandboxops.app.console.environment;

/**
 * How one service an environment needs is doing, for the status bar.
 *
 * @param service what it is, e.g. {@code Docker}, {@code Emulator}
 * @param health  whether it can be used
 * @param detail  a sentence: where it answers, or why not and what to do
 */
public record ServiceStatus(String service, Health health, String detail) {

    public enum Health { STARTING, UP, UNAVAILABLE }

    public static ServiceStatus starting(String service) {
        return new ServiceStatus(service, Health.STARTING, "connecting…");
    }
}
