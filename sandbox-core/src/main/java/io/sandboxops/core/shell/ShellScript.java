package io.sandboxops.core.shell;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The engine's fixed bash scripts, shipped as resources next to this class. No user data is ever in them. */
public enum ShellScript {
    INIT("init.bash"),
    SIGNAL_FOREGROUND("signal-foreground.bash"),
    SESSIONS("sessions.bash"),
    KILL_BACKGROUND("kill-background.bash"),
    STAT("stat.bash"),
    READ("read.bash"),
    PLACE("place.bash"),
    PROBE("probe.bash"),
    TERMINAL("terminal.bash"),
    TERMINAL_RC("terminal-rc.bash"),
    CLOSE_TERMINAL("close-terminal.bash");

    private final String text;

    ShellScript(String resource) {
        try (InputStream in = ShellScript.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource + " next to " + ShellScript.class.getName());
            }
            this.text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String text() {
        return text;
    }

    /** The argument vector that runs this script with {@code args} as its positional parameters. */
    public List<String> argv(List<String> args) {
        List<String> argv = new ArrayList<>(List.of("bash", "--noprofile", "--norc", "-c", text, "sbx-" + name()));
        argv.addAll(args);
        return argv;
    }
}
