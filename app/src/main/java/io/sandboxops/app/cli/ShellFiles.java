package io.sandboxops.app.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import picocli.CommandLine;

/**
 * Writes what an installer puts beside the {@code sandboxctl} launcher, generated from the command tree of the jar
 * being packaged: the bash completion, the zsh completion and the man page (gzipped, as Debian installs man pages).
 * {@code packaging/build-installers.sh} runs it: {@code java -cp JARS io.sandboxops.app.cli.ShellFiles DIR}.
 */
public final class ShellFiles {
    static final String BASH = "sandboxctl.bash";
    static final String ZSH = "_sandboxctl";
    static final String MAN = "sandboxctl.1.gz";

    private ShellFiles() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: ShellFiles DIR  (writes " + BASH + ", " + ZSH + " and " + MAN + " there)");
            System.exit(SandboxCtl.EXIT_USAGE);
        }
        write(Path.of(args[0]));
    }

    static void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        CommandLine root = SandboxCtl.commandLine();
        Files.writeString(dir.resolve(BASH), CompletionCommand.Shell.bash.script(root), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(ZSH), CompletionCommand.Shell.zsh.script(root), StandardCharsets.UTF_8);
        try (GZIPOutputStream gz = new GZIPOutputStream(Files.newOutputStream(dir.resolve(MAN)))) {
            gz.write(ManPage.roff(root).getBytes(StandardCharsets.UTF_8));
        }
    }
}
