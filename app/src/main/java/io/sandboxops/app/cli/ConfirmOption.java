package io.sandboxops.app.cli;

import picocli.CommandLine.Option;

/** {@code --confirm NAME}: the service name typed ahead, for a write to a production environment without a terminal. */
final class ConfirmOption {
    @Option(names = "--confirm", paramLabel = "SERVICE", description = "The service name, to confirm a write to a production environment.")
    String confirm;
}
