package io.sandboxops.app.console.environment;

import io.sandboxops.core.env.Environment;
import java.util.Objects;
import java.util.Optional;

/**
 * A place the console works on: {@code local} (the local Docker engine and the embedded emulator) or a GCP
 * project from the environments file. The flags decide what the console lets a person do.
 *
 * @param name        what the switcher shows, e.g. {@code local}, {@code prod-eu}
 * @param kind        local, or a GCP project
 * @param production  shown under a red banner; writes need a name typed to confirm
 * @param readOnly    every write is refused
 * @param description one line for the switcher's tooltip (project and region for GCP)
 * @param definition  the environment as the core knows it (project, region, service, bucket), which the control
 *                    plane is opened on; {@code null} for an environment that has no such definition
 */
public record ConsoleEnvironment(String name, Kind kind, boolean production, boolean readOnly, String description,
                                 Environment definition) {

    public enum Kind { LOCAL, GCP }

    public static final String LOCAL_NAME = Environment.LOCAL;

    public ConsoleEnvironment {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(description, "description");
    }

    /** An environment with no core definition: it has sessions at most, no rollout service to drive. */
    public ConsoleEnvironment(String name, Kind kind, boolean production, boolean readOnly, String description) {
        this(name, kind, production, readOnly, description, null);
    }

    /** The default environment: this machine's Docker engine and the embedded emulator. */
    public static ConsoleEnvironment local() {
        return of(Environment.local());
    }

    /** The switcher's entry for an environment of the environments file (or the built-in {@code local}). */
    public static ConsoleEnvironment of(Environment environment) {
        boolean local = environment.kind() == Environment.Kind.LOCAL;
        String description = local ? "this machine: local Docker engine and the embedded emulator"
                : "project " + environment.projectId() + ", " + environment.region() + ", service " + environment.service()
                + (environment.production() ? " (production)" : "") + (environment.readOnly() ? " (read-only)" : "");
        return new ConsoleEnvironment(environment.name(), local ? Kind.LOCAL : Kind.GCP, environment.production(), environment.readOnly(),
                description, environment);
    }

    public Optional<Environment> coreDefinition() {
        return Optional.ofNullable(definition);
    }

    public boolean writesAllowed() {
        return !readOnly;
    }

    @Override
    public String toString() {
        return name;
    }
}
