package io.sandboxops.app.console.environment;

import java.util.Objects;

/**
 * A place the console works on: {@code local} (the local Docker engine and the embedded emulator) or a GCP
 * project. GCP environments will come from the environments file once it is defined; the flags are modelled
 * now because they decide what the console lets a person do.
 *
 * @param name        what the switcher shows, e.g. {@code local}, {@code prod-eu}
 * @param kind        local, or a GCP project
 * @param production  shown under a red banner; writes need the name typed to confirm
 * @param readOnly    every write is refused
 * @param description one line for the switcher's tooltip (project and region for GCP)
 */
public record ConsoleEnvironment(String name, Kind kind, boolean production, boolean readOnly, String description) {

    public enum Kind { LOCAL, GCP }

    public static final String LOCAL_NAME = "local";

    public ConsoleEnvironment {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(description, "description");
    }

    /** The default environment: this machine's Docker engine and the embedded emulator. */
    public static ConsoleEnvironment local() {
        return new ConsoleEnvironment(LOCAL_NAME, Kind.LOCAL, false, false, "this machine: local Docker engine and the embedded emulator");
    }

    public boolean writesAllowed() {
        return !readOnly;
    }

    @Override
    public String toString() {
        return name;
    }
}
