package io.sandboxops.app.cli;

import static io.sandboxops.app.cli.CliRun.ctl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sandboxops.core.testing.RequiresDocker;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sandboxctl attach} as a person meets it: the real sandboxctl in a JVM of its own, on a pseudo-terminal that
 * util-linux {@code script} provides, attached to a real Docker sandbox. The test types into that terminal as a keyboard
 * would and reads what it shows; {@code stty -g} before and after tells whether the terminal was put back.
 */
@RequiresDocker
class AttachCliTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String NOTICE = "Ctrl-] detaches.";
    /**
     * What {@code script} runs (with sh): constant text; the session, paths and size come from the environment, so
     * nothing the test makes or types is ever part of a shell command line. sandboxctl runs as {@link SandboxCtlProcess}
     * runs it: this JVM, this classpath, the test's home.
     */
    private static final String SCRIPT = String.join("; ",
            "stty rows \"$ATTACH_ROWS\" cols \"$ATTACH_COLUMNS\"",
            "tty > \"$ATTACH_DIR/tty\"",
            "stty -g > \"$ATTACH_DIR/stty-before\"",
            "\"$ATTACH_JAVA\" \"-Duser.home=$ATTACH_DIR\" -cp \"$ATTACH_CP\" io.sandboxops.app.cli.SandboxCtl attach --session \"$ATTACH_SESSION\"",
            "echo $? > \"$ATTACH_DIR/status\"",
            "stty -g > \"$ATTACH_DIR/stty-after\"");

    @TempDir
    Path home;
    private String session;

    @BeforeEach
    void create() throws Exception {
        CliRun r = ctl("session", "create", "--json");
        assertThat(r.status()).as(r.err()).isZero();
        session = r.json().get("session_id").asText();
    }

    @AfterEach
    void close() {
        ctl("session", "close", "--session", session);
    }

    @Test
    void aCommandRunsAndTheShellsExitStatusIsSandboxctlsAndTheTerminalIsPutBack() throws Exception {
        try (Attached a = Attached.start(home, session, 80, 24)) {
            a.awaitShown(NOTICE);
            a.type("echo $((6*7))\r");
            a.awaitShown("42\r\n");
            a.type("exit 3\r");

            assertThat(a.awaitStatus()).as(a.shown()).isEqualTo(3);
            assertThat(a.sttyAfter()).as("stty -g after attach").isEqualTo(a.sttyBefore());
            assertThat(a.shown()).doesNotContain("detached");
        }
    }

    @Test
    void ctrlRightBracketDetachesClosesTheSandboxTerminalAndPutsThisOneBack() throws Exception {
        try (Attached a = Attached.start(home, session, 80, 24)) {
            a.awaitShown(NOTICE);
            a.type("echo ready-$((1+1)); sleep 1234\r");
            a.awaitShown("ready-2");
            a.type("\u001d");

            assertThat(a.awaitStatus()).as(a.shown()).isEqualTo(AttachCommand.EXIT_DETACHED);
            assertThat(a.sttyAfter()).as("stty -g after detaching").isEqualTo(a.sttyBefore());
            assertThat(a.shown()).contains("sandboxctl: detached from session " + session + "; its terminal was closed");
        }
        // The terminal was closed, not left behind: the program in its foreground got SIGHUP.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(ctl("exec", "--session", session, "--",
                "for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline 2>/dev/null; echo; done | grep -c '^sleep 1234' || true").out().strip())
                .isEqualTo("0"));
    }

    @Test
    void theTerminalHasTheWindowsSizeAndFollowsItsResizes() throws Exception {
        try (Attached a = Attached.start(home, session, 100, 30)) {
            a.awaitShown(NOTICE);
            a.type("stty size\r");
            a.awaitShown("30 100\r\n");

            // The window resized, as a terminal emulator does it: the kernel tells the foreground process (SIGWINCH).
            Process resize = new ProcessBuilder("stty", "-F", a.tty(), "rows", "40", "cols", "120").redirectErrorStream(true).start();
            assertThat(resize.waitFor(10, TimeUnit.SECONDS) && resize.exitValue() == 0).as("stty -F resized the terminal").isTrue();
            await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> {
                a.type("stty size\r");
                return a.shown().contains("40 120\r\n");
            });
            a.type("\u001d");
            assertThat(a.awaitStatus()).isEqualTo(AttachCommand.EXIT_DETACHED);
        }
    }

    @Test
    void toldToEndItStillPutsTheTerminalBack() throws Exception {
        try (Attached a = Attached.start(home, session, 80, 24)) {
            a.awaitShown(NOTICE);
            ProcessHandle sandboxctl = a.script.descendants().filter(p -> p.info().command().orElse("").endsWith("/java")).findFirst()
                    .orElseThrow();
            sandboxctl.destroy();

            assertThat(a.awaitStatus()).as(a.shown()).isEqualTo(128 + 15);
            assertThat(a.sttyAfter()).as("stty -g after SIGTERM").isEqualTo(a.sttyBefore());
        }
    }

    @Test
    void pipedInputIsTypedAndWhatTheTerminalShowsReachesStdoutUnchanged() throws Exception {
        Process p = SandboxCtlProcess.start(home, Map.of(), "attach", "--session", session, "--pipe");
        p.getOutputStream().write("printf '\\033[31mRED\\033[0m\\n'; exit 7\n".getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();

        assertThat(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        String out = Files.readString(home.resolve("out.txt"), StandardCharsets.ISO_8859_1);
        assertThat(p.exitValue()).as(out + Files.readString(home.resolve("err.txt"))).isEqualTo(7);
        // A terminal's bytes, escape sequences included, as the sandbox wrote them: not shown inert as a listing would.
        assertThat(out).contains("\u001b[31mRED\u001b[0m\r\n");
    }

    @Test
    void theTerminalStartsFromTheSessionNamedInTheSandboxNamed() throws Exception {
        assertThat(ctl("exec", "--session", session, "--", "cd /tmp && export WHERE=first").status()).isZero();

        String own = attachPiped("echo \"[$PWD:$WHERE]\"; exit\n", "attach", "--session", session, "--pipe");
        String second = attachPiped("echo \"[$PWD:$WHERE]\"; exit\n", "attach", "--sandbox", session, "--session", "second", "--pipe");

        assertThat(own).contains("[/tmp:first]");
        assertThat(second).as("a session of the sandbox that ran nothing: its working directory, no variable")
                .contains("[/workspace:]");
    }

    private String attachPiped(String typed, String... args) throws Exception {
        Process p = SandboxCtlProcess.start(home, Map.of(), args);
        p.getOutputStream().write(typed.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        assertThat(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        String out = Files.readString(home.resolve("out.txt"), StandardCharsets.ISO_8859_1);
        assertThat(p.exitValue()).as(out + Files.readString(home.resolve("err.txt"))).isZero();
        return out;
    }

    /** sandboxctl attach running on a pseudo-terminal of {@code script}: what is typed, what is shown, how it ended. */
    private static final class Attached implements AutoCloseable {
        final Process script;
        private final Path dir;
        private final ByteArrayOutputStream shown = new ByteArrayOutputStream();

        private Attached(Process script, Path dir) {
            this.script = script;
            this.dir = dir;
            Thread reader = new Thread(() -> {
                byte[] buffer = new byte[8192];
                try (InputStream in = script.getInputStream()) {
                    int n;
                    while ((n = in.read(buffer)) >= 0) {
                        synchronized (shown) {
                            shown.write(buffer, 0, n);
                        }
                    }
                } catch (IOException e) {
                    // the process ended
                }
            }, "attach-test-reader");
            reader.setDaemon(true);
            reader.start();
        }

        static Attached start(Path dir, String session, int columns, int rows) throws IOException {
            ProcessBuilder pb = new ProcessBuilder(List.of("script", "--quiet", "--return", "--command", SCRIPT, "/dev/null"))
                    .redirectErrorStream(true);
            Map<String, String> env = pb.environment();
            env.put("SHELL", "/bin/sh");
            env.put("NO_GCE_CHECK", "true");
            env.put("ATTACH_DIR", dir.toString());
            env.put("ATTACH_SESSION", session);
            env.put("ATTACH_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
            env.put("ATTACH_CP", System.getProperty("java.class.path"));
            env.put("ATTACH_COLUMNS", Integer.toString(columns));
            env.put("ATTACH_ROWS", Integer.toString(rows));
            return new Attached(pb.start(), dir);
        }

        void type(String keys) throws IOException {
            script.getOutputStream().write(keys.getBytes(StandardCharsets.UTF_8));
            script.getOutputStream().flush();
        }

        String shown() {
            synchronized (shown) {
                return shown.toString(StandardCharsets.UTF_8);
            }
        }

        void awaitShown(String text) {
            await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).failFast(() -> !script.isAlive() && !shown().contains(text))
                    .untilAsserted(() -> assertThat(shown()).contains(text));
        }

        int awaitStatus() throws Exception {
            assertThat(script.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as("script ended; shown: " + shown()).isTrue();
            return Integer.parseInt(Files.readString(dir.resolve("status")).strip());
        }

        String tty() throws IOException {
            await().atMost(WAIT).until(() -> Files.exists(dir.resolve("tty")));
            return Files.readString(dir.resolve("tty")).strip();
        }

        String sttyBefore() throws IOException {
            return Files.readString(dir.resolve("stty-before")).strip();
        }

        String sttyAfter() throws IOException {
            return Files.readString(dir.resolve("stty-after")).strip();
        }

        @Override
        public void close() {
            script.destroyForcibly();
        }
    }
}
