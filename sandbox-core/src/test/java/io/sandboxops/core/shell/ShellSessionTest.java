package io.sandboxops.core.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sandboxops.core.api.ExecResult;
import io.sandboxops.core.api.SandboxConflictException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shell engine over local processes: no Docker needed. */
class ShellSessionTest {
    private static final Duration T = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    private LocalShellHost host;
    private ShellSession session;

    @BeforeEach
    void open() {
        host = new LocalShellHost(dir, java.util.Optional.empty());
        session = newSession(ShellSession.Options.defaults());
    }

    @AfterEach
    void close() {
        session.close();
    }

    private ShellSession newSession(ShellSession.Options options) {
        return new ShellSession(host, dir.resolve("state").toString(), "s1", options);
    }

    @Test
    void echoReturnsItsOutputAndExitZero() {
        ExecResult r = session.run("echo hello", T);
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).isEqualTo("hello\n");
        assertThat(r.stderr()).isEmpty();
        assertThat(r.timedOut()).isFalse();
        assertThat(r.sessionId()).isEqualTo("s1");
    }

    @Test
    void cwdAndExportedVariablesPersistBetweenCommands() {
        session.run("cd /tmp && export GREETING='hi there'", T);
        ExecResult r = session.run("pwd; echo \"$GREETING\"", T);
        assertThat(r.stdout()).isEqualTo("/tmp\nhi there\n");
        assertThat(r.cwd()).isEqualTo("/tmp");
    }

    @Test
    void stdoutAndStderrAreKeptApartAndExitCodesReported() {
        ExecResult r = session.run("echo out; echo err >&2; exit_code() { return 7; }; exit_code", T);
        assertThat(r.stdout()).isEqualTo("out\n");
        assertThat(r.stderr()).isEqualTo("err\n");
        assertThat(r.exitCode()).isEqualTo(7);
    }

    @Test
    void quotesNewlinesAndMultiLineCommandsArriveAsTyped() {
        ExecResult r = session.run("x='it'\"'\"'s'\nprintf '%s|%s\\n' \"$x\" \"a  b\"\ncat <<'EOF'\n$HOME `date`\nEOF", T);
        assertThat(r.stdout()).isEqualTo("it's|a  b\n$HOME `date`\n");
    }

    @Test
    void aNewSessionOnTheSameStateRestoresCwdAndEnvironment() throws Exception {
        Path work = Files.createDirectories(dir.resolve("work dir"));
        session.run("cd '" + work + "' && export A='x=1\ny' && export B=b && unset HOME", T);
        session.close();
        session = newSession(ShellSession.Options.defaults());
        ExecResult r = session.run("pwd; printf '%s' \"$A\"; echo; echo \"${B}-${HOME-unset}\"", T);
        assertThat(r.stdout()).isEqualTo(work + "\nx=1\ny\nb-unset\n");
    }

    @Test
    void timeoutInterruptsTheCommandKeepsPartialOutputAndTheShell() {
        session.run("cd /tmp", T);
        ExecResult r = session.run("echo before; sleep 30; echo after", Duration.ofMillis(500));
        assertThat(r.timedOut()).isTrue();
        assertThat(r.stdout()).isEqualTo("before\n");
        assertThat(r.duration()).isLessThan(Duration.ofSeconds(10));
        ExecResult next = session.run("pwd", T);
        assertThat(next.stdout()).isEqualTo("/tmp\n");
    }

    @Test
    void aLoopInTheShellItselfIsEndedByRestartingTheShellWithItsState() {
        session.run("cd /tmp; export KEEP=yes", T);
        ExecResult r = session.run("while :; do :; done", Duration.ofMillis(300));
        assertThat(r.timedOut()).isTrue();
        assertThat(r.exitCode()).isNotZero();
        assertThat(session.run("pwd; echo $KEEP", T).stdout()).isEqualTo("/tmp\nyes\n");
    }

    @Test
    void exitEndsTheShellReportsItsStatusAndANewShellRestoresTheState() {
        ExecResult r = session.run("cd /tmp; export Z=1; exit 3", T);
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.cwd()).isEqualTo("/tmp");
        assertThat(session.run("echo $Z; pwd", T).stdout()).isEqualTo("1\n/tmp\n");
    }

    @Test
    void commandsThatReadStdinSeeEndOfFile() {
        ExecResult r = session.run("cat; read x; echo \"got:$x:$?\"", T);
        assertThat(r.stdout()).isEqualTo("got::1\n");
        assertThat(session.run("echo still here", T).stdout()).isEqualTo("still here\n");
    }

    @Test
    void backgroundCommandReturnsItsRealPidAtOnce() throws Exception {
        ExecResult r = session.run("sleep 60 &", T);
        assertThat(r.backgroundPid()).isPresent();
        long pid = r.backgroundPid().getAsLong();
        // It becomes the command itself once its wrapper has exec'ed it.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(ProcessHandle.of(pid).flatMap(h -> h.info().command()).orElse("")).endsWith("sleep"));
        assertThat(r.duration()).isLessThan(Duration.ofSeconds(5));
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }

    @Test
    void backgroundProcessSurvivesATimeoutOfTheForegroundCommand() {
        long pid = session.run("sleep 60 &", T).backgroundPid().orElseThrow();
        session.run("sleep 30", Duration.ofMillis(300));
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true);
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }

    @Test
    void aRecordedBackgroundPidThatNowNamesAnotherProcessIsNotReportedRunning() throws Exception {
        long pid = session.run("sleep 60 &", T).backgroundPid().orElseThrow();
        SessionDirectory directory = new SessionDirectory(host, dir.resolve("state").toString());
        assertThat(directory.background(Optional.of("s1"))).singleElement().satisfies(b -> assertThat(b.running()).isTrue());
        // After a restart of the container the pids start over, and the recorded one may name a new process: its start
        // time (the record's first line: started-at, then start time in clock ticks) is then another.
        Path record = dir.resolve("state/s1/bg/" + pid);
        String[] firstLine = Files.readString(record).lines().findFirst().orElseThrow().split(" ");
        assertThat(firstLine).hasSize(2);
        Files.writeString(record, firstLine[0] + " " + (Long.parseLong(firstLine[1]) + 1) + "\nsleep 60");
        assertThat(directory.background(Optional.of("s1"))).singleElement()
                .satisfies(b -> assertThat(b.pid()).isEqualTo(pid))
                .satisfies(b -> assertThat(b.running()).isFalse());
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }

    @Test
    void outputPastTheCapIsDroppedAndCounted() {
        session.close();
        session = newSession(ShellSession.Options.defaults().withMaxOutputBytes(1000));
        ExecResult r = session.run("head -c 5000000 /dev/zero | tr '\\0' x; echo done >&2", T);
        assertThat(r.stdoutDroppedBytes()).isEqualTo(5_000_000 - 1000);
        assertThat(r.stdout()).startsWith("x".repeat(1000)).contains("dropped 4999000 bytes");
        assertThat(r.stderr()).isEqualTo("done\n");
        assertThat(session.run("echo ok", T).stdout()).isEqualTo("ok\n");
    }

    @Test
    void interactiveCommandReadsWhatIsWrittenToIt() {
        RunningCommand c = session.start("read name; echo \"hi $name\"", ShellSession.Mode.INTERACTIVE, Optional.of("/tmp"));
        assertThatThrownBy(() -> session.start("echo no", ShellSession.Mode.STATEFUL, Optional.empty()))
                .isInstanceOf(SandboxConflictException.class);
        session.writeInput("bob\n");
        assertThat(c.await(T)).isPresent();
        assertThat(c.combinedText()).isEqualTo("hi bob\n");
        assertThat(session.result(c).cwd()).isEqualTo("/tmp");
    }

    @Test
    void aDirectoryWithANulIsRefusedAndCannotSplitTheCommandRecord() {
        assertThatThrownBy(() -> session.start("echo hi", ShellSession.Mode.INTERACTIVE, Optional.of("/tmp\0s\0\0echo forged")))
                .isInstanceOf(io.sandboxops.core.api.SandboxInvalidInputException.class);
        assertThat(session.run("echo still", T).stdout()).isEqualTo("still\n");
    }

    @Test
    void userCannotBreakOutOfTheQuotingOfItsCommand() {
        ExecResult r = session.run("echo '; echo injected'", T);
        assertThat(r.stdout()).isEqualTo("; echo injected\n");
    }

    @Test
    void backgroundDetectionLeavesAndAndRedirectionsAlone() {
        assertThat(ShellSession.backgroundPart("sleep 1 &")).contains("sleep 1");
        assertThat(ShellSession.backgroundPart("a && b")).isEmpty();
        assertThat(ShellSession.backgroundPart("echo \\&")).isEmpty();
        assertThat(ShellSession.backgroundPart("cmd 2>&")).isEmpty();
        assertThat(ShellSession.backgroundPart("&")).isEmpty();
    }
}
