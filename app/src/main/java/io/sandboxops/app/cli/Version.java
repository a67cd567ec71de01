package io.sandboxops.app.cli;

import picocli.CommandLine;

/** The version from the jar's manifest (set by the build), or "development" when run from classes. */
public final class Version implements CommandLine.IVersionProvider {
    public static String current() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v == null ? "development" : v;
    }

    @Override
    public String[] getVersion() {
        // concat, not +: javac turns + into an invokedynamic whose first call spins up method handles, a tenth of
        // --version's whole run.
        return new String[] {"sandboxctl ".concat(current()).concat(" (Sandbox Ops)"), "Java ".concat(System.getProperty("java.version"))};
    }
}
