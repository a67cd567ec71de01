package io.sandboxops.core.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviour every {@link Sandbox} backend owes, written once (a TCK). A backend's test extends it and
 * supplies the backend; each test gets a new sandbox.
 */
public abstract class SandboxContractTest {
    protected static final Duration T = Duration.ofSeconds(30);
    protected static final String S = "main";

    protected Sandbox sandbox;

    @TempDir
    protected Path local;

    /** The backend under test; it stays open for the whole class. */
    protected abstract SandboxBackend backend();

    /**
     * How many commands the randomized hostile-command test sends to one session ({@code -Dsandboxops.hostile.count}
     * overrides it). A backend that starts a machine per command runs fewer, and says why.
     */
    protected int hostileCommandCount() {
        return 2000;
    }

    /** The spec each test's sandbox is created from. */
    protected SandboxSpec.Builder spec() {
        return SandboxSpec.newBuilder();
    }

    @BeforeEach
    void createSandbox() {
        sandbox = backend().create(spec().build());
    }

    @AfterEach
    void destroySandbox() {
        if (sandbox != null) {
            sandbox.destroy();
        }
    }

    private ExecResult run(String command) {
        return sandbox.execStateful(command, S, T);
    }

    // ---- a session survives whatever its own user does (issue 13) -----------------------------------------------

    /** Where the hostile-command tests keep the session, and a variable they never touch on purpose. */
    private void plantCanary() {
        ExecResult r = run("cd /tmp && export CANARY=c-1 SECOND='two words'");
        assertThat(r.exitCode()).isZero();
    }

    /** The session answers promptly, in its cwd, with its exported variables and PATH. */
    private void assertSessionIntact() {
        long t0 = System.nanoTime();
        ExecResult r = run("\\builtin printf '%s|%s|%s|%s' \"$CANARY\" \"$SECOND\" \"$PWD\" \"$(\\builtin type -P ls)\"");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        assertThat(r.stdout()).matches("c-1\\|two words\\|/tmp\\|/(usr/)?bin/ls");
        assertThat(r.cwd()).isEqualTo("/tmp");
    }

    /**
     * Runs a command that may end the session's shell or its machine: the outcome is an {@link ExecResult} or a
     * {@link SandboxException}, within {@code limit}, and a message a person can read. Returns it as text.
     */
    private String outcome(String command, Duration timeout, Duration limit) {
        long t0 = System.nanoTime();
        String text;
        try {
            ExecResult r = sandbox.execStateful(command, S, timeout);
            text = "exit " + r.exitCode() + (r.timedOut() ? " (timed out)" : "") + "\n" + r.stdout() + "\n" + r.stderr();
        } catch (SandboxException e) {
            assertThat(e.getMessage()).isNotBlank();
            text = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("%s ended in time", command).isLessThan(limit);
        return text;
    }

    @Test
    void killingEveryProcessOfTheSandboxTwiceKeepsTheSessionsState() {
        plantCanary();
        for (int i = 0; i < 2; i++) {
            String o = outcome("export K=1; kill -9 -1", T, Duration.ofSeconds(60));
            assertThat(o).doesNotContainIgnoringCase("out of memory").containsPattern("(?i)kill|ended|stopped|lost|restart");
        }
        assertSessionIntact();
    }

    @Test
    void aFunctionShadowingBuiltinEndsAtOnceAndTheEnvironmentStays() {
        plantCanary();
        ExecResult r = sandbox.execStateful("builtin(){ :; }; echo x", S, Duration.ofSeconds(20));
        assertThat(r.timedOut()).isFalse();
        assertThat(r.duration()).isLessThan(Duration.ofSeconds(5));
        assertThat(r.stdout()).isEqualTo("x\n");
        assertThat(r.exitCode()).isZero();
        assertSessionIntact();
        assertThat(run("type -t builtin").stdout().strip()).isEqualTo("builtin");
    }

    @Test
    void readOnlyEngineNamesDoNotHangLaterCommands() {
        plantCanary();
        for (String c : List.of("__sbx_cmd='x'; export __sbx_cmd; readonly __sbx_cmd",
                "for v in $(compgen -v __sbx); do readonly \"$v\"; done; for f in $(compgen -A function __sbx); do readonly -f \"$f\"; done",
                "readonly POSIXLY_CORRECT")) {
            ExecResult r = sandbox.execStateful(c, S, Duration.ofSeconds(20));
            assertThat(r.timedOut()).as(c).isFalse();
            assertSessionIntact();
        }
    }

    @Test
    void aCommandCannotForgeItsEndMarker() {
        plantCanary();
        ExecResult r = sandbox.execStateful(HostileCommands.FORGING_TRAP + "; false", S, Duration.ofSeconds(20));
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.cwd()).isEqualTo("/tmp");
        assertThat(r.timedOut()).isFalse();
        ExecResult fake = run(HostileCommands.FAKE_MARKERS + "; exit 4");
        assertThat(fake.exitCode()).isEqualTo(4);
        assertThat(fake.cwd()).isEqualTo("/tmp");
        assertThat(fake.stdout()).contains("SBX-END-deadbeef");
        assertSessionIntact();
    }

    @Test
    void outputAfterAFakeMarkerIsCappedLikeAnyOther() {
        plantCanary();
        ExecResult r = run("printf '\\036SBX-END-'; head -c 100000000 /dev/zero | tr '\\0' a");
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout().length()).isLessThanOrEqualTo(1024 * 1024 + 1024);
        assertThat(r.stdoutDroppedBytes()).isGreaterThan(90_000_000L);
        ExecResult bad = run("printf '\\036SBX-END-x:abc:def:ghi\\0'");
        assertThat(bad.exitCode()).isZero();
        assertThat(bad.stdout()).isEqualTo("\u001eSBX-END-x:abc:def:ghi\u0000");
        assertSessionIntact();
    }

    @Test
    void redirectingOrDisablingTheShellsOwnOutputEndsAtOnce() {
        plantCanary();
        for (String c : List.of("exec >/dev/null", "exec 2>&-", "exec 1>&- 2>&-", "enable -n printf", "enable -n builtin; enable -n declare")) {
            ExecResult r = sandbox.execStateful(c, S, Duration.ofSeconds(20));
            assertThat(r.timedOut()).as(c).isFalse();
            assertThat(r.duration()).as(c).isLessThan(Duration.ofSeconds(5));
            assertSessionIntact();
        }
    }

    @Test
    void aCommandThatStopsTheSessionsShellIsDetectedInSeconds() {
        plantCanary();
        String o = outcome("kill -STOP $$; sleep 1", Duration.ofSeconds(120), Duration.ofSeconds(30));
        assertThat(o).doesNotContain("(timed out)").containsPattern("(?i)stop|ended|lost|restart");
        assertSessionIntact();
    }

    @Test
    void aStrayKillOfTheSubshellWaitingForTheNextCommandLosesNoCommand() {
        plantCanary();
        // A job left behind kills every child of the engine shell — the subshell already forked for the next command among
        // them — while that command is on its way or waiting.
        run("(sleep 0.5; for d in /proc/[0-9]*; do IFS= read -r s < \"$d/stat\" 2>/dev/null || continue; set -- ${s##*) }; "
                + "[ \"$2\" = \"$$\" ] && kill -9 \"${d#/proc/}\"; done) >/dev/null 2>&1 &");
        await().pollDelay(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> true);
        String o = outcome("echo after", T, Duration.ofSeconds(30));
        assertThat(o).satisfiesAnyOf(t -> assertThat(t).contains("after"), t -> assertThat(t).contains("exit 125"));
        assertSessionIntact();
    }

    @Test
    void thousandsOfHostileCommandsLeaveTheSessionAnsweringWithItsState() {
        long seed = Long.getLong("sandboxops.hostile.seed", 13L);
        int count = Integer.getInteger("sandboxops.hostile.count", hostileCommandCount());
        System.out.println("hostile commands: seed " + seed + ", " + count + " commands (-Dsandboxops.hostile.seed=… to replay)");
        Random random = new Random(seed);
        plantCanary();
        for (int i = 0; i < count; i++) {
            String c = HostileCommands.draw(random);
            try {
                outcome(c, Duration.ofSeconds(5), Duration.ofSeconds(10));
                assertSessionIntact();
            } catch (AssertionError e) {
                throw new AssertionError("command " + i + " of seed " + seed + ": " + c + "\n" + e.getMessage(), e);
            }
        }
    }

    // ---- the original plan's success criteria --------------------------------------------------------------

    @Test
    void echoHelloExitsZeroWithHello() {
        ExecResult r = run("echo hello");
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout().strip()).isEqualTo("hello");
        assertThat(r.sessionId()).isEqualTo(S);
    }

    @Test
    void cdPersistsToTheNextCommand() {
        assertThat(run("cd /tmp && pwd").stdout().strip()).isEqualTo("/tmp");
        ExecResult r = run("pwd");
        assertThat(r.stdout().strip()).isEqualTo("/tmp");
        assertThat(r.cwd()).isEqualTo("/tmp");
    }

    @Test
    void exportIsSeenByTheNextCommand() {
        run("export AGENT_VAR='a b=c'");
        assertThat(run("echo \"$AGENT_VAR\"").stdout()).isEqualTo("a b=c\n");
    }

    @Test
    void backgroundSleepIsListedRunningAndKilled() {
        ExecResult r = run("sleep 100 &");
        assertThat(r.exitCode()).isZero();
        long pid = r.backgroundPid().orElseThrow();
        List<BackgroundProcess> listed = sandbox.listBackgroundProcesses(Optional.of(S));
        assertThat(listed).anySatisfy(p -> {
            assertThat(p.pid()).isEqualTo(pid);
            assertThat(p.running()).isTrue();
            assertThat(p.command()).isEqualTo("sleep 100");
            assertThat(p.sessionId()).isEqualTo(S);
        });
        KillResult k = sandbox.killBackgroundProcess(KillTarget.pid(pid));
        assertThat(k.killedPids()).containsExactly(pid);
        assertThat(sandbox.listBackgroundProcesses(Optional.of(S))).filteredOn(p -> p.pid() == pid)
                .singleElement().extracting(BackgroundProcess::running).isEqualTo(false);
    }

    @Test
    void writtenFileReadsBack() {
        sandbox.fileWrite("/tmp/test.txt", "content", false, false, false);
        assertThat(sandbox.fileRead("/tmp/test.txt", LineRange.all())).isEqualTo("content");
    }

    @Test
    void binaryUploadDownloadsBackByteForByte() {
        byte[] data = new byte[3 * 1024 * 1024 + 17];
        new Random(42).nextBytes(data);
        List<Long> progress = new ArrayList<>();
        long sent = sandbox.fileUpload(new ByteArrayInputStream(data), data.length, "/tmp/blob.bin", (done, total) -> progress.add(done));
        assertThat(sent).isEqualTo(data.length);
        assertThat(progress).isNotEmpty().last().isEqualTo((long) data.length);
        ByteArrayOutputStream back = new ByteArrayOutputStream();
        sandbox.fileDownload("/tmp/blob.bin", back, TransferProgress.NONE);
        assertThat(back.toByteArray()).isEqualTo(data);
        assertThat(run("wc -c < /tmp/blob.bin").stdout().strip()).isEqualTo(Integer.toString(data.length));
    }

    // ---- the shell engine ----------------------------------------------------------------------------------

    @Test
    void stdoutAndStderrAreKeptApart() {
        ExecResult r = run("echo out; echo err >&2; false");
        assertThat(r.stdout()).isEqualTo("out\n");
        assertThat(r.stderr()).isEqualTo("err\n");
        assertThat(r.exitCode()).isEqualTo(1);
    }

    /** A timeout out of range is a clear error on every backend, never "no limit" nor an overflow deeper in. */
    @Test
    void commandTimeoutsOutOfRangeAreRefusedNamingTheRange() {
        for (Duration timeout : new Duration[] {Duration.ZERO, Duration.ofMillis(-1), Duration.ofDays(365_000),
                Duration.ofSeconds(Long.MAX_VALUE)}) {
            assertThatThrownBy(() -> sandbox.execStateful("echo hi", S, timeout)).as("exec, timeout %s", timeout)
                    .isInstanceOf(SandboxInvalidInputException.class).hasMessageContaining("at most 24 h");
        }
        assertThatThrownBy(() -> sandbox.waitForProcess(S, Duration.ofSeconds(Long.MAX_VALUE))).as("waitForProcess")
                .isInstanceOf(SandboxInvalidInputException.class).hasMessageContaining("at most 24 h");
        assertThat(run("echo still fine").stdout()).isEqualTo("still fine\n");
    }

    @Test
    void aNewClientRestoresCwdAndEnvironment() {
        run("mkdir -p /tmp/w && cd /tmp/w && export KEEP=kept");
        sandbox.close();
        try (Sandbox again = backend().get(sandbox.id())) {
            ExecResult r = again.execStateful("pwd; echo $KEEP", S, T);
            assertThat(r.stdout()).isEqualTo("/tmp/w\nkept\n");
            SessionInfo info = again.sessionInfo(S);
            assertThat(info.cwd()).isEqualTo("/tmp/w");
            assertThat(info.env()).containsEntry("KEEP", "kept");
            assertThat(info.lastCommand()).contains("pwd; echo $KEEP");
        }
    }

    @Test
    void aTimedOutCommandIsInterruptedAndTheSessionKeepsWorking() {
        run("cd /tmp");
        ExecResult r = sandbox.execStateful("echo started; sleep 100; echo never", S, Duration.ofSeconds(1));
        assertThat(r.timedOut()).isTrue();
        assertThat(r.stdout()).isEqualTo("started\n");
        assertThat(r.duration()).isLessThan(Duration.ofSeconds(15));
        assertThat(run("pwd").stdout().strip()).isEqualTo("/tmp");
    }

    @Test
    void exitRestartsTheShellWithItsStateAndReportsTheStatus() {
        ExecResult r = run("cd /tmp; export X=1; exit 7");
        assertThat(r.exitCode()).isEqualTo(7);
        assertThat(run("pwd; echo $X").stdout()).isEqualTo("/tmp\n1\n");
    }

    @Test
    void strictModeSetByACommandIsKeptLikeAnyOptionAndTheSessionKeepsItsState() {
        // What agents start scripts with: set -euo pipefail. It must be saved and restored, not end the save.
        ExecResult set = run("cd /tmp; set -euo pipefail; trap 'echo trapped' ERR; export X=1");
        assertThat(set.exitCode()).as(set.stderr()).isZero();
        assertThat(set.stderr()).doesNotContain("sandbox-ops:");
        if (!keepsShellOptions()) {
            assertThat(run("pwd; echo \"$X\"").stdout()).isEqualTo("/tmp\n1\n");
            return;
        }
        assertThat(run("pwd; echo \"$X ${-//[^eu]}\"; [[ -o pipefail ]] && echo pipefail").stdout()).isEqualTo("/tmp\n1 eu\npipefail\n");
        ExecResult failed = run("false; echo not-reached");
        assertThat(failed.exitCode()).isEqualTo(1);
        assertThat(failed.stdout()).doesNotContain("not-reached");
        assertThat(run("echo \"$UNSET_VARIABLE\"").exitCode()).isNotZero();
        assertThat(run("set +euo pipefail; export Y=2").exitCode()).isZero();
        assertThat(run("false; echo \"$X$Y ${-//[^eu]}.\"").stdout()).isEqualTo("12 .\n");
    }

    @Test
    void aCommandThatKillsItsOwnShellGetsAResultAndTheSessionGoesOn() {
        run("cd /tmp");
        ExecResult r = run("kill -9 $$");
        assertThat(r.exitCode()).isNotZero();
        assertThat(run("pwd").stdout().strip()).isEqualTo("/tmp");
    }

    @Test
    void fiftyMegabytesOfOutputAreCappedAndCounted() {
        ExecResult r = run("head -c 50000000 /dev/zero | tr '\\0' y");
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdoutDroppedBytes()).isEqualTo(50_000_000L - 1024 * 1024);
        assertThat(r.stdout()).contains("dropped " + (50_000_000L - 1024 * 1024) + " bytes");
        assertThat(run("echo fine").stdout()).isEqualTo("fine\n");
    }

    @Test
    void commandsReadingStdinSeeEndOfFile() {
        ExecResult r = run("cat; read -r line; echo \"status $?\"");
        assertThat(r.stdout()).isEqualTo("status 1\n");
    }

    @Test
    void legacyInteractiveExecTakesInputAndReportsItsEnd() {
        ShellView started = sandbox.exec(S, Optional.of("/tmp"), "read -r name; echo \"hello $name\"");
        assertThat(started.running()).isTrue();
        sandbox.writeToProcess(S, "agent", true);
        ShellView done = sandbox.waitForProcess(S, T);
        assertThat(done.running()).isFalse();
        assertThat(done.output()).isEqualTo("hello agent\n");
        assertThat(done.exitCode()).hasValue(0);
        assertThat(sandbox.viewShell(S).output()).isEqualTo("hello agent\n");
    }

    @Test
    void legacyKillProcessStopsTheRunningCommand() {
        sandbox.exec(S, Optional.empty(), "echo going; sleep 100");
        await().atMost(T).until(() -> sandbox.viewShell(S).output().contains("going"));
        ShellView killed = sandbox.killProcess(S);
        assertThat(killed.running()).isFalse();
        assertThat(run("echo after").stdout()).isEqualTo("after\n");
    }

    @Test
    void aSecondCommandWhileOneRunsIsAConflict() {
        sandbox.exec(S, Optional.empty(), "sleep 100");
        assertThatThrownBy(() -> run("echo no")).isInstanceOf(SandboxConflictException.class).hasMessageContaining("sleep 100");
        sandbox.killProcess(S);
    }

    // ---- background processes ------------------------------------------------------------------------------

    @Test
    void backgroundProcessesAreKilledByPatternAndBySessionAndLeaveLogs() {
        long a = run("sleep 201 &").backgroundPid().orElseThrow();
        long b = sandbox.execStateful("sleep 202 &", "other", T).backgroundPid().orElseThrow();
        long c = run("for i in 1 2 3; do echo line$i; done; sleep 203 &").backgroundPid().orElseThrow();
        await().atMost(T).until(() -> sandbox.backgroundLogs(c, 1000).contains("line3"));
        assertThat(sandbox.killBackgroundProcess(KillTarget.matching("sleep 20[1]")).killedPids()).containsExactly(a);
        assertThat(sandbox.killBackgroundProcess(KillTarget.session("other")).killedPids()).containsExactly(b);
        assertThat(sandbox.killBackgroundProcess(KillTarget.all()).killedPids()).containsExactly(c);
        assertThat(sandbox.listBackgroundProcesses(Optional.empty())).noneMatch(BackgroundProcess::running);
        assertThatThrownBy(() -> sandbox.killBackgroundProcess(KillTarget.pid(999_999))).isInstanceOf(SandboxNotFoundException.class);
        assertThatThrownBy(() -> KillTarget.matching("(unclosed")).isInstanceOf(SandboxInvalidInputException.class);
    }

    @Test
    void aBackgroundProcessOutlivesTheClientThatStartedIt() {
        long pid = run("sleep 100 &").backgroundPid().orElseThrow();
        sandbox.close();
        try (Sandbox again = backend().get(sandbox.id())) {
            assertThat(again.listBackgroundProcesses(Optional.of(S))).anyMatch(p -> p.pid() == pid && p.running());
        }
    }

    // ---- files ---------------------------------------------------------------------------------------------

    @Test
    void readReturnsLineRanges() {
        sandbox.fileWrite("/tmp/lines.txt", "one\ntwo\nthree\nfour", false, false, true);
        assertThat(sandbox.fileRead("/tmp/lines.txt", LineRange.of(2, 3))).isEqualTo("two\nthree\n");
        assertThat(sandbox.fileRead("/tmp/lines.txt", LineRange.from(4))).isEqualTo("four\n");
    }

    @Test
    void writeAppendsWithOptionalNewlines() {
        sandbox.fileWrite("notes.txt", "a", false, false, false);
        sandbox.fileWrite("notes.txt", "b", true, true, true);
        assertThat(sandbox.fileRead("notes.txt", LineRange.all())).isEqualTo("a\nb\n");
        assertThat(run("cat notes.txt").stdout()).isEqualTo("a\nb\n");
    }

    @Test
    void searchReturnsMatchingLinesWithNumbersAndRejectsABadRegex() {
        sandbox.fileWrite("/tmp/s.txt", "alpha\nbeta\ngamma\nalphabet", false, false, false);
        assertThat(sandbox.fileSearch("/tmp/s.txt", "^alpha")).containsExactly(new SearchMatch(1, "alpha"), new SearchMatch(4, "alphabet"));
        assertThatThrownBy(() -> sandbox.fileSearch("/tmp/s.txt", "([a-")).isInstanceOf(SandboxInvalidInputException.class)
                .hasMessageContaining("invalid regex");
    }

    @Test
    void aCatastrophicallyBacktrackingRegexIsAnsweredInLinearTime() {
        // Nested quantifiers that a backtracking engine tries 2^n ways on a line that never matches.
        sandbox.fileWrite("/tmp/evil.txt", "a".repeat(40), false, false, false);
        assertThat(assertTimeoutPreemptively(Duration.ofSeconds(10), () -> sandbox.fileSearch("/tmp/evil.txt", "((a+)+)+b"))).isEmpty();
        assertThat(run("echo usable").stdout()).isEqualTo("usable\n");
    }

    @Test
    void replaceIsLiteral() {
        sandbox.fileWrite("/tmp/r.txt", "f(a.b) f(a.b) axb", false, false, false);
        assertThat(sandbox.fileReplace("/tmp/r.txt", "f(a.b)", "g()")).isEqualTo(2);
        assertThat(sandbox.fileRead("/tmp/r.txt", LineRange.all())).isEqualTo("g() g() axb");
    }

    @Test
    void findMatchesGlobs() {
        run("mkdir -p /tmp/p/src/a /tmp/p/docs && touch /tmp/p/src/x.py /tmp/p/src/a/y.py /tmp/p/docs/r.md");
        assertThat(sandbox.fileFind("/tmp/p", "*.py")).containsExactly("/tmp/p/src/a/y.py", "/tmp/p/src/x.py");
        assertThat(sandbox.fileFind("/tmp/p", "src/*.py")).containsExactly("/tmp/p/src/x.py");
        assertThat(sandbox.fileFind("/tmp/p", "**/*.{md,py}")).hasSize(3);
    }

    @Test
    void listExistsAndDelete() {
        run("mkdir -p /tmp/l/d && printf 12345 > /tmp/l/f && ln -s f /tmp/l/link");
        List<FileEntry> entries = sandbox.fileList("/tmp/l");
        assertThat(entries).extracting(FileEntry::name).containsExactly("d", "f", "link");
        assertThat(entries.get(0).type()).isEqualTo(FileEntry.Type.DIRECTORY);
        assertThat(entries.get(1).size()).isEqualTo(5);
        assertThat(entries.get(2).type()).isEqualTo(FileEntry.Type.SYMLINK);
        assertThat(sandbox.fileExists("/tmp/l/f")).isTrue();
        sandbox.fileDelete("/tmp/l");
        assertThat(sandbox.fileExists("/tmp/l")).isFalse();
        assertThatThrownBy(() -> sandbox.fileDelete("/tmp/l")).isInstanceOf(SandboxNotFoundException.class);
    }

    @Test
    void badPathsGetClearErrors() {
        assertThatThrownBy(() -> sandbox.fileRead("/tmp/nope.txt", LineRange.all())).isInstanceOf(SandboxNotFoundException.class)
                .hasMessageContaining("/tmp/nope.txt");
        assertThatThrownBy(() -> sandbox.fileRead("/tmp", LineRange.all())).isInstanceOf(SandboxInvalidInputException.class)
                .hasMessageContaining("directory");
        assertThatThrownBy(() -> sandbox.fileList("/tmp/nope")).isInstanceOf(SandboxNotFoundException.class);
        assertThatThrownBy(() -> sandbox.fileWrite("/etc/passwd", "x", false, false, false)).isInstanceOf(SandboxException.class)
                .hasMessageContaining("permission denied");
        assertThatThrownBy(() -> sandbox.execStateful("echo", "bad id!", T)).isInstanceOf(SandboxInvalidInputException.class);
        assertThat(run("echo still fine").stdout()).isEqualTo("still fine\n");
    }

    @Test
    void hostileFileNamesAreDataNeverCode() {
        String path = "/tmp/it's a \"name\" $(touch pwned) `touch pwned2`\nline;rm -rf ~";
        sandbox.fileWrite(path, "safe", false, false, false);
        assertThat(sandbox.fileRead(path, LineRange.all())).isEqualTo("safe");
        assertThat(sandbox.fileFind("/tmp", "it*")).containsExactly(path);
        assertThat(sandbox.fileList("/tmp")).extracting(FileEntry::path).contains(path);
        for (String dir : List.of("/tmp", "/workspace", "/home/sandbox")) {
            assertThat(sandbox.fileFind(dir, "pwned*")).isEmpty();
        }
        sandbox.fileDelete(path);
        assertThat(sandbox.fileExists(path)).isFalse();
    }

    @Test
    void anUploadOverTheLimitIsRefusedBeforeAnyByteIsRead() {
        InputStream untouchable = new InputStream() {
            @Override
            public int read() {
                throw new AssertionError("the upload read its input although it was over the limit");
            }
        };
        assertThatThrownBy(() -> sandbox.fileUpload(untouchable, Sandbox.MAX_TRANSFER_BYTES + 1, "/tmp/big", TransferProgress.NONE))
                .isInstanceOf(SandboxTooLargeException.class).hasMessageContaining("500 MB");
        assertThat(sandbox.fileExists("/tmp/big")).isFalse();
    }

    @Test
    void aShortUploadLeavesNothingBehind() {
        sandbox.fileWrite("/tmp/keep.txt", "old", false, false, false);
        assertThatThrownBy(() -> sandbox.fileUpload(new ByteArrayInputStream(new byte[10]), 100, "/tmp/keep.txt", TransferProgress.NONE))
                .isInstanceOf(SandboxException.class);
        assertThat(sandbox.fileRead("/tmp/keep.txt", LineRange.all())).isEqualTo("old");
        assertThat(sandbox.fileFind("/tmp", ".keep*")).isEmpty();
    }

    @Test
    void aDirectoryDownloadsIntoTheNamedDirectoryAndRefusesLinksOutOfIt() throws Exception {
        run("mkdir -p /tmp/tree/sub && echo a > /tmp/tree/a.txt && echo b > /tmp/tree/sub/b.txt && ln -s a.txt /tmp/tree/ok-link");
        Path into = local.resolve("into");
        sandbox.fileDownload("/tmp/tree", into, TransferProgress.NONE);
        assertThat(Files.readString(into.resolve("a.txt"))).isEqualTo("a\n");
        assertThat(Files.readString(into.resolve("sub/b.txt"))).isEqualTo("b\n");
        assertThat(Files.isSymbolicLink(into.resolve("ok-link"))).isTrue();

        run("ln -s /etc/passwd /tmp/tree/escape");
        assertThatThrownBy(() -> sandbox.fileDownload("/tmp/tree", local.resolve("again"), TransferProgress.NONE))
                .isInstanceOf(SandboxInvalidInputException.class).hasMessageContaining("outside");
    }

    @Test
    void aDirectoryDownloadJudgesLinksByWhereTheyLeadOnDiskNotByTheirText() throws Exception {
        Path into = Files.createDirectories(local.resolve("chain"));
        // Each "s" is the target itself on disk, so the ".." climb out of it; as text they cancel out.
        int depth = into.toRealPath().getNameCount() + 1;
        run("mkdir -p /tmp/chain && cd /tmp/chain && echo a > a.txt && ln -s . s && ln -s '" + "s/".repeat(depth) + "../".repeat(depth)
                + "etc/hostname' x");
        assertThatThrownBy(() -> sandbox.fileDownload("/tmp/chain", into, TransferProgress.NONE))
                .isInstanceOf(SandboxInvalidInputException.class).hasMessageContaining("outside").hasMessageContaining("x\"");
        assertThat(Files.exists(into.resolve("x"), java.nio.file.LinkOption.NOFOLLOW_LINKS)).as("the link is not left behind").isFalse();
    }

    // ---- sessions ------------------------------------------------------------------------------------------

    @Test
    void sessionsAreListedInspectedClosedAndCleanedUp() {
        run("cd /tmp");
        sandbox.execStateful("export WHO=two", "two", T);
        sandbox.execStateful("true", "three", T);
        assertThat(sandbox.listSessions()).extracting(SessionInfo::sessionId).containsExactlyInAnyOrder(S, "two", "three");
        SessionInfo two = sandbox.sessionInfo("two");
        assertThat(two.env()).containsEntry("WHO", "two");
        assertThat(two.backend()).isEqualTo(sandbox.backend());
        sandbox.closeSession("two");
        assertThatThrownBy(() -> sandbox.sessionInfo("two")).isInstanceOf(SandboxNotFoundException.class);
        assertThat(sandbox.cleanupAllSessions(Set.of(S))).containsExactly("three");
        assertThat(sandbox.listSessions()).extracting(SessionInfo::sessionId).containsExactly(S);
        assertThat(run("pwd").stdout().strip()).isEqualTo("/tmp");
    }

    @Test
    void anUnknownSandboxIsNotFound() {
        assertThatThrownBy(() -> backend().get("no-such-sandbox")).isInstanceOf(SandboxNotFoundException.class);
    }

    @Test
    void utf8SurvivesCommandsAndFiles() {
        sandbox.fileWrite("/tmp/u.txt", "żółw 🐢", false, false, true);
        assertThat(run("cat /tmp/u.txt").stdout()).isEqualTo("żółw 🐢\n");
        assertThat(new String(sandbox.fileRead("/tmp/u.txt", LineRange.all()).getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))
                .isEqualTo("żółw 🐢\n");
    }

    // ---- hostile file operations (issue 13) ----

    @Test
    void aGlobThatWouldBacktrackOnALongNameIsAnsweredInSeconds() {
        run("mkdir -p /workspace/g && touch /workspace/g/" + "a".repeat(200));
        String hostile = "*a".repeat(15) + "*b";
        List<String> found = assertTimeoutPreemptively(Duration.ofSeconds(15), () -> sandbox.fileFind("/workspace/g", hostile));
        assertThat(found).isEmpty();
        assertThat(sandbox.fileFind("/workspace/g", "*a".repeat(15) + "*")).containsExactly("/workspace/g/" + "a".repeat(200));
        assertThat(run("echo usable").stdout()).isEqualTo("usable\n");
    }

    @Test
    void findRefusesATreeDeeperThanItGoesInsteadOfDroppingWhatIsBelow() {
        run("mkdir -p /workspace/deep/" + "d/".repeat(70) + " && touch /workspace/deep/" + "d/".repeat(70) + "bottom.txt");
        assertThatThrownBy(() -> assertTimeoutPreemptively(Duration.ofSeconds(15), () -> sandbox.fileFind("/workspace/deep", "*.txt")))
                .isInstanceOf(SandboxTooLargeException.class).hasMessageContaining("levels").hasMessageContaining("/workspace/deep");
        assertThat(sandbox.fileFind("/workspace/deep/" + "d/".repeat(40), "*.txt")).hasSize(1);
    }

    @Test
    void aRegexOnAVeryLongLineIsAnsweredWithoutBlowingTheStack() {
        sandbox.fileWrite("/workspace/long.txt", "ab".repeat(100_000) + "\n" + "ab".repeat(100_000) + "c", false, false, true);
        List<SearchMatch> found = assertTimeoutPreemptively(Duration.ofSeconds(15), () -> sandbox.fileSearch("/workspace/long.txt", "(a|b)*c"));
        assertThat(found).extracting(SearchMatch::lineNumber).containsExactly(2);
        assertThat(run("echo usable").stdout()).isEqualTo("usable\n");
    }

    @Test
    void regexFeaturesALinearEngineCannotRunAreRefusedNamingTheAlternative() {
        sandbox.fileWrite("/workspace/r.txt", "aa\nab", false, false, true);
        assertThatThrownBy(() -> sandbox.fileSearch("/workspace/r.txt", "(a)\\1")).isInstanceOf(SandboxInvalidInputException.class)
                .hasMessageContaining("backreference").hasMessageContaining("grep -P");
        assertThatThrownBy(() -> sandbox.fileSearch("/workspace/r.txt", "a(?=b)")).isInstanceOf(SandboxInvalidInputException.class)
                .hasMessageContaining("lookaround").hasMessageContaining("grep -P");
    }

    @Test
    void aDirectoryHoldingHardLinksDownloadsEveryLinkWithItsContent() throws Exception {
        run("mkdir -p /workspace/h/sub && cd /workspace/h && printf 'shared bytes' > a && ln a b && ln a sub/c && printf z > z && ln z y");
        Path into = local.resolve("hard");
        sandbox.fileDownload("/workspace/h", into, TransferProgress.NONE);
        for (String name : List.of("a", "b", "sub/c")) {
            assertThat(Files.readString(into.resolve(name))).as(name).isEqualTo("shared bytes");
        }
        assertThat(Files.readString(into.resolve("y"))).isEqualTo("z");
    }

    @Test
    void aWriteToAPathOutsideTheSandboxsFilesIsReportedNotLost() {
        for (String path : List.of("/dev/shm/x", "/proc/x")) {
            try {
                sandbox.fileWrite(path, "data", false, false, false);
                // Where a backend can write there, the file must be there for the sandbox's own commands too.
                assertThat(run("cat " + path).stdout()).as(path).isEqualTo("data");
                assertThat(sandbox.fileRead(path, LineRange.all())).as(path).isEqualTo("data");
            } catch (SandboxException e) {
                assertThat(e.getMessage()).as(path).contains(path).containsPattern("not (on|kept|part of)|outside");
            }
        }
        assertThatThrownBy(() -> sandbox.fileUpload(new ByteArrayInputStream(new byte[3]), 3, "/proc/up", TransferProgress.NONE))
                .isInstanceOf(SandboxException.class).hasMessageContaining("/proc/up");
        assertThat(run("echo usable").stdout()).isEqualTo("usable\n");
    }

    // ---- toolbox (issue 14): the tools agents and people expect, the same on every backend ----

    @Test
    void theToolboxRunsPythonGitCurlPsJqAndVenv() {
        assertToolboxRuns(sandbox);
    }

    /** Each toolbox command and the pattern of its output; ExecutorImageTest runs them in the executor image too. */
    public static void assertToolboxRuns(Sandbox sandbox) {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("python3 -c 'print(6*7)'", "42\n");
        expected.put("d=$(mktemp -d) && git init -q \"$d\" && git -C \"$d\" -c user.name=a -c user.email=a@example.com commit -q --allow-empty -m first"
                + " && git -C \"$d\" log --format=%s", "first\n");
        expected.put("curl --version", "(?s)curl \\d+\\.\\d+.*Protocols:.* https .*");
        expected.put("ps aux", "(?s)USER +PID .*ps aux\n.*");
        expected.put("echo '{\"tools\":[\"jq\"]}' | jq -r '.tools[0]'", "jq\n");
        expected.put("d=$(mktemp -d) && python3 -m venv \"$d/venv\" && \"$d/venv/bin/python\" -m pip --version", "(?s)pip \\d+.*/venv/.*");
        for (Map.Entry<String, String> e : expected.entrySet()) {
            ExecResult r = sandbox.execStateful(e.getKey(), S, Duration.ofSeconds(60));
            assertThat(r.exitCode()).as(e.getKey() + "\n" + r.stderr()).isZero();
            assertThat(r.stdout()).as(e.getKey()).matches(e.getValue());
        }
    }

    // ---- terminals (issue 14) ---------------------------------------------------------------------------------

    /**
     * Whether the session keeps shell options from one command to the next (Cloud Run once mode keeps the cwd and the
     * exported variables only: each command is a new execution restored from the bucket's state.json).
     */
    protected boolean keepsShellOptions() {
        return !"once".equals(sandbox.mode());
    }

    /**
     * Whether the backend refuses terminals (Cloud Run once mode: no process outlives a command); the terminal rows
     * then check the refusal instead.
     */
    protected boolean terminalsRefused() {
        return "once".equals(sandbox.mode());
    }

    /** A terminal on session {@link #S}; null where the backend refuses terminals, after checking that it says so. */
    private TerminalScreen terminal(TerminalSize size) {
        if (terminalsRefused()) {
            assertThatThrownBy(() -> sandbox.openTerminal(S, size)).isInstanceOf(SandboxUnsupportedException.class)
                    .hasMessageContaining("once mode");
            return null;
        }
        return new TerminalScreen(sandbox.openTerminal(S, size));
    }

    /** Types a line and waits for what it prints: {@code pattern}, searched in the output that follows. */
    private static Matcher typed(TerminalScreen t, String line, String pattern) {
        int from = t.mark();
        t.type(line + "\r");
        return t.await(Pattern.compile(pattern), from);
    }

    /** What `ps` lists in the sandbox, through the session's own shell. */
    private String processes() {
        return run("ps -eo pid,sid,args").stdout();
    }

    @Test
    void aTerminalHasTheSizeItWasOpenedWith() {
        try (TerminalScreen t = terminal(new TerminalSize(100, 30))) {
            if (t == null) {
                return;
            }
            assertThat(t.terminal().size()).isEqualTo(new TerminalSize(100, 30));
            typed(t, "echo \"size=$(stty size)=\"", "size=30 100=");
        }
    }

    @Test
    void aResizedTerminalShowsItsProgramsTheNewSize() {
        try (TerminalScreen t = terminal(TerminalSize.DEFAULT)) {
            if (t == null) {
                return;
            }
            typed(t, "echo \"cols=$(tput cols)=\"", "cols=80=");
            t.terminal().resize(new TerminalSize(132, 40));
            assertThat(t.terminal().size()).isEqualTo(new TerminalSize(132, 40));
            typed(t, "echo \"cols=$(tput cols)= lines=$(tput lines)=\"", "cols=132= lines=40=");
        }
    }

    @Test
    void aPythonReplRunsInATerminal() {
        try (TerminalScreen t = terminal(TerminalSize.DEFAULT)) {
            if (t == null) {
                return;
            }
            typed(t, "python3 -q", ">>> ");
            typed(t, "print(6*7)", "\r\n42\r\n>>> ");
            typed(t, "exit()", "\\$ $");
            typed(t, "echo \"back=$((40+2))\"", "back=42");
        }
    }

    @Test
    void vimOpensInATerminalAndQuitsBackToTheShell() {
        try (TerminalScreen t = terminal(TerminalSize.DEFAULT)) {
            if (t == null) {
                return;
            }
            // The images' vim is vim-tiny, made `vim` by an alternative (docker/sandbox/Dockerfile).
            typed(t, "vim -u NONE /tmp/notes.txt", "\u001b\\[\\?1049h");
            typed(t, ":q!", "\u001b\\[\\?1049l");
            typed(t, "echo \"after=$((2+3))\"", "after=5");
            t.type("exit\r");
            assertThat(t.terminal().waitFor(T)).hasValue(0);
        }
    }

    @Test
    void ctrlCInATerminalEndsTheProgramInTheForeground() {
        try (TerminalScreen t = terminal(TerminalSize.DEFAULT)) {
            if (t == null) {
                return;
            }
            t.type("sleep 100\r");
            await().atMost(T).untilAsserted(() -> assertThat(processes()).contains("sleep 100"));
            t.terminal().write(new byte[] {3});
            typed(t, "echo \"status=$?=\"", "status=130=");
            assertThat(processes()).doesNotContain("sleep 100");
        }
    }

    @Test
    void aTerminalStartsInTheSessionsCwdWithItsVariablesFunctionsAndAliases() {
        run("mkdir -p /tmp/where && cd /tmp/where && export GREETING='hello there' && f() { echo \"fn=$1\"; } && alias ll='echo aliased'");
        try (TerminalScreen t = terminal(TerminalSize.DEFAULT)) {
            if (t == null) {
                return;
            }
            typed(t, "echo \"pwd=$(pwd)= g=$GREETING= term=$TERM=\"", "pwd=/tmp/where= g=hello there= term=xterm-256color=");
            typed(t, "f $((1+1))", "fn=2");
            typed(t, "ll", "\r\naliased\r\n");
        }
    }

    @Test
    void aTerminalKeepsTheSessionsShellOptionsAndStaysInteractive() {
        // Changed options make the engine save all of them, its own non-interactive ones (no emacs, history, monitor) too.
        // A session in strict mode (set -e) would end an interactive shell at its first failing command: a terminal drops it.
        run("shopt -s globstar && set -o noclobber -o errexit");
        try (TerminalScreen t = terminal(TerminalSize.DEFAULT)) {
            if (t == null) {
                return;
            }
            typed(t, "shopt -q globstar && [[ -o noclobber ]] && echo \"kept=$((1+1))\"", "kept=2");
            typed(t, "[[ -o emacs && -o monitor && -o history ]] && shopt -q expand_aliases && echo \"interactive=$((2+1))\"", "interactive=3");
            typed(t, "false; echo \"alive=$((3+1))\"", "alive=4");
        }
    }

    @Test
    void aSessionThatRanNothingOpensATerminalInTheWorkdirWithACleanEnvironment() {
        String workdir = spec().build().workdir();
        try (TerminalScreen t = terminal(TerminalSize.DEFAULT)) {
            if (t == null) {
                return;
            }
            typed(t, "echo \"pwd=$(pwd)= g=${GREETING-unset}= term=$TERM=\"", "pwd=" + Pattern.quote(workdir) + "= g=unset= term=xterm-256color=");
            // The sandbox's user, as the session's commands run.
            typed(t, "echo \"uid=$(id -u)=\"", "uid=" + run("id -u").stdout().strip() + "=");
        }
    }

    @Test
    void whatATerminalChangesStaysInTheTerminal() {
        run("cd /tmp && export KEEP=session");
        try (TerminalScreen t = terminal(TerminalSize.DEFAULT)) {
            if (t == null) {
                return;
            }
            typed(t, "cd / && export KEEP=terminal NEW=1 && unset HOME && alias x=y && echo \"done=$((1+1))\"", "done=2");
            typed(t, "sleep 0.2; echo \"again=$((2+2))\"", "again=4");
            assertThat(run("echo \"$(pwd) $KEEP ${NEW-none} ${HOME:+home}\"; alias x 2>&1 || :").stdout())
                    .startsWith("/tmp session none home\n").doesNotContain("alias x=");
            assertThat(sandbox.sessionInfo(S).cwd()).isEqualTo("/tmp");
        }
        assertThat(run("pwd; echo $KEEP").stdout()).isEqualTo("/tmp\nsession\n");
    }

    @Test
    void twoTerminalsRunAtOnceOnOneSession() {
        try (TerminalScreen a = terminal(TerminalSize.DEFAULT); TerminalScreen b = terminal(new TerminalSize(120, 50))) {
            if (a == null) {
                return;
            }
            // Typed ahead while the shell's line editor still holds the terminal raw, a line would reach `read` with its
            // Enter untranslated: the row waits until `read` runs.
            typed(a, "cd /tmp && echo \"a reads=$((1+1))\" && read -r line && echo \"a got=$line=\"", "a reads=2");
            typed(b, "echo \"b size=$(stty size)=\"", "b size=50 120=");
            typed(a, "first", "a got=first=");
            // A line of its own holding the directory: the line before it ends in \n or in a lone \r, as the shell's
            // line editor happens to draw it (a pattern wanting \r alone failed once on Cloud Run).
            typed(b, "pwd", "[\r\n]" + Pattern.quote(spec().build().workdir()) + "\r\n");
            assertThat(run("echo $((3*3))").stdout()).isEqualTo("9\n");
            a.close();
            typed(b, "echo \"b still=$((4*4))\"", "b still=16");
        }
    }

    @Test
    void closingATerminalEndsEveryProcessItStarted() {
        try (TerminalScreen t = terminal(TerminalSize.DEFAULT)) {
            if (t == null) {
                return;
            }
            // In the background (its own process group under job control), disowned, deaf to SIGHUP, in a session of its
            // own but still on the terminal, and in the foreground.
            t.type("sleep 1001 & disown; nohup sleep 1002 >/dev/null 2>&1 & (trap '' HUP; exec sleep 1003) & setsid sleep 1004 & sleep 1005\r");
            String[] started = {"sleep 1001", "sleep 1002", "sleep 1003", "sleep 1004", "sleep 1005"};
            await().atMost(T).untilAsserted(() -> assertThat(processes()).contains(started));
            t.close();
            assertThat(t.awaitEnd(T)).as("the output ends").isTrue();
            assertThat(processes()).doesNotContain(started);
            assertThatThrownBy(() -> t.type("echo late\r")).isInstanceOf(SandboxNotFoundException.class).hasMessageContaining("closed");
        }
        assertThat(run("echo $((6*7))").stdout()).isEqualTo("42\n");
    }

    @Test
    void theExitStatusOfATerminalsShellIsWhatWaitForAnswers() {
        try (TerminalScreen t = terminal(TerminalSize.DEFAULT)) {
            if (t == null) {
                return;
            }
            assertThat(t.terminal().waitFor(Duration.ofMillis(200))).isEmpty();
            t.type("exit 3\r");
            assertThat(t.terminal().waitFor(T)).hasValue(3);
            assertThat(t.awaitEnd(T)).as("the output ends").isTrue();
            assertThatThrownBy(() -> t.type("echo late\r")).isInstanceOf(SandboxNotFoundException.class).hasMessageContaining("ended");
            assertThatThrownBy(() -> t.terminal().resize(new TerminalSize(90, 30))).isInstanceOf(SandboxNotFoundException.class);
        }
    }

    @Test
    void aTerminalOnAnInvalidSessionIdIsRefused() {
        assertThatThrownBy(() -> sandbox.openTerminal("../other", TerminalSize.DEFAULT)).isInstanceOf(SandboxInvalidInputException.class)
                .hasMessageContaining("session id");
    }

    @Test
    void aJobThatOutlivesItsTerminalsShellEndsWithTheTerminalsClose() {
        try (TerminalScreen t = terminal(TerminalSize.DEFAULT)) {
            if (t == null) {
                return;
            }
            t.type("sleep 1007 & exit 5\r");
            assertThat(t.terminal().waitFor(T)).hasValue(5);
            assertThat(t.awaitEnd(T)).as("the output ends once the shell has exited").isTrue();
            assertThat(processes()).contains("sleep 1007");
            t.close();
            assertThat(processes()).doesNotContain("sleep 1007");
        }
    }

    @Test
    void aTerminalsOutputEndsWhenItsSandboxIsDestroyed() {
        TerminalScreen t = terminal(TerminalSize.DEFAULT);
        if (t == null) {
            return;
        }
        typed(t, "echo \"up=$((1+1))\"", "up=2");
        // Destroyed through another client, which knows nothing of this terminal (as when someone else destroys it).
        backend().get(sandbox.id()).destroy();
        assertThat(t.awaitEnd(T)).as("the output ends").isTrue();
        assertThatThrownBy(() -> t.type("echo late\r")).isInstanceOf(SandboxNotFoundException.class);
        t.close();
        assertThatThrownBy(() -> sandbox.openTerminal(S, TerminalSize.DEFAULT)).isInstanceOf(SandboxNotFoundException.class);
    }

    @Test
    void aTerminalHoldsNoDescriptorOfTheSessionsEngine() {
        run("echo warm");
        try (TerminalScreen t = terminal(TerminalSize.DEFAULT)) {
            if (t == null) {
                return;
            }
            // Every descriptor of the terminal's shell, listed by a child (which the listing does not disturb): only its
            // pseudo-terminal (bash keeps a copy of it as 255) — no pipe, FIFO or file of the engine's.
            typed(t, "ls -l /proc/$$/fd/ > /tmp/terminal-fds; echo \"=$((7*6))=\"", "=42=");
            assertThat(run("sed -n 's/.* -> //p' /tmp/terminal-fds").stdout().lines().toList())
                    .isNotEmpty().allMatch(target -> target.startsWith("/dev/pts/"), "a pseudo-terminal");
        }
    }

    @Test
    void endMarkersPrintedInATerminalDoNotReachTheSessionsResults() {
        run("cd /tmp");
        try (TerminalScreen t = terminal(TerminalSize.DEFAULT)) {
            if (t == null) {
                return;
            }
            typed(t, "printf '\\036SBX-END-x:0:1:1:/etc\\0\\036SBX-END-x\\036'; echo \"=$((5*5))=\"", "=25=");
            ExecResult r = run("echo clean; echo err >&2; exit 4");
            assertThat(r.stdout()).isEqualTo("clean\n");
            assertThat(r.stderr()).isEqualTo("err\n");
            assertThat(r.exitCode()).isEqualTo(4);
        }
        assertThat(run("pwd").stdout()).isEqualTo("/tmp\n");
    }
}
