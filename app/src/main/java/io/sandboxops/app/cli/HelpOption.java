package io.sandboxops.app.cli;

import picocli.CommandLine.Option;

/**
 * {@code -h, --help} on every command and subcommand, as the root has it from picocli's standard help mixin; only
 * the root answers {@code --version}, so the subcommands take this one rather than the whole standard mixin.
 */
final class HelpOption {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;
}
