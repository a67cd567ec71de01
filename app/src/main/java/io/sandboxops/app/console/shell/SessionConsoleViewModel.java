package io.sandboxops.app.console.shell;

import io.sandboxops.app.console.dialog.ErrorMessages;
import io.sandboxops.app.console.environment.WriteGuard;
import io.sandboxops.app.console.sessions.SessionHandle;
import io.sandboxops.app.console.status.HumanReadable;
import io.sandboxops.app.console.status.StatusLine;
import io.sandboxops.app.console.task.BackgroundTask;
import io.sandboxops.app.console.task.TaskExecutor;
import io.sandboxops.app.console.task.TaskHandle;
import io.sandboxops.core.api.ExecResult;
import io.sandboxops.core.api.SandboxNotFoundException;
import io.sandboxops.core.api.SandboxUnsupportedException;
import io.sandboxops.core.api.ShellView;
import io.sandboxops.core.api.SessionInfo;
import io.sandboxops.core.env.ControlCharacters;
import io.sandboxops.core.env.Secrets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.beans.value.ObservableValue;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The session console: a command line with history, the output of each command with stdout and stderr
 * apart, its exit code and duration, the cwd as the prompt, a timeout, and the session's environment with
 * secrets masked until revealed. Commands run with {@code execStateful}, so the cwd and exports persist and
 * stdout and stderr arrive apart; a running command can be stopped.
 *
 * <p>With {@link #liveOutputProperty() live output} on, a command runs in the session's interactive shell
 * ({@code exec}) instead and its output is read every {@link #LIVE_POLL} while it runs. The interactive shell gives
 * stdout and stderr interleaved and the core offers no separated result for such a command, so its output stays
 * interleaved ({@link ConsoleLine.Kind#LIVE}); the footer says so. A command ending in {@code &}, and every command on
 * a backend without an interactive shell, still runs with {@code execStateful}.
 */
public final class SessionConsoleViewModel {
    /** Output kept in the console; older lines go first, as in a terminal's scrollback. */
    static final int MAX_LINES = 20_000;
    static final int MAX_HISTORY = 500;
    /** How often a running command's output is read in live mode: often enough to feel live, rarely enough to be cheap. */
    public static final Duration LIVE_POLL = Duration.ofMillis(300);
    /** How often the running command's timer moves. */
    static final Duration ELAPSED_TICK = Duration.ofMillis(200);

    private final TaskExecutor executor;
    private final StatusLine status;
    private final WriteGuard guard;
    private final ObservableValue<SessionHandle> session;

    private final StringProperty command = new SimpleStringProperty(this, "command", "");
    private final List<String> history = new ArrayList<>();
    private int historyIndex;
    private String draft = "";
    private final ObservableList<ConsoleLine> output = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper cwd = new ReadOnlyStringWrapper(this, "cwd", "");
    private final ReadOnlyObjectWrapper<Integer> exitCode = new ReadOnlyObjectWrapper<>(this, "exitCode");
    private final ReadOnlyStringWrapper lastDuration = new ReadOnlyStringWrapper(this, "lastDuration", "");
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper(this, "running");
    private final IntegerProperty timeoutSeconds = new SimpleIntegerProperty(this, "timeoutSeconds", 120);
    private final ObservableList<EnvVariable> env = FXCollections.observableArrayList();
    private final BooleanProperty revealSecrets = new SimpleBooleanProperty(this, "revealSecrets");
    private final BooleanBinding canRun;
    private final ReadOnlyBooleanWrapper stopping = new ReadOnlyBooleanWrapper(this, "stopping");
    // On by default: a person watching a command wants to see it work, not wait for its end.
    private final BooleanProperty liveOutput = new SimpleBooleanProperty(this, "liveOutput", true);
    private final ReadOnlyStringWrapper elapsed = new ReadOnlyStringWrapper(this, "elapsed", "");
    private TaskHandle elapsedTimer = TaskHandle.DONE;
    private LiveCommand live;

    public SessionConsoleViewModel(TaskExecutor executor, StatusLine status, WriteGuard guard, ObservableValue<SessionHandle> session) {
        this.executor = executor;
        this.status = status;
        this.guard = guard;
        this.session = session;
        this.canRun = Bindings.createBooleanBinding(() -> session.getValue() != null && !running.get() && guard.writesAllowed().get()
                && !command.get().isBlank(), session, running, guard.writesAllowed(), command);
        session.addListener((obs, old, now) -> onSessionChanged(now));
        onSessionChanged(session.getValue());
    }

    private void onSessionChanged(SessionHandle now) {
        endLive();
        output.clear();
        env.clear();
        exitCode.set(null);
        lastDuration.set("");
        cwd.set("");
        revealSecrets.set(false);
        running.set(false);
        stopping.set(false);
        if (now != null) {
            output.add(new ConsoleLine(ConsoleLine.Kind.NOTE, "Session " + now.sessionId() + " on " + now.backend()
                    + ". Commands run in its persistent shell: cd and export carry over."));
            refreshInfo();
        }
    }

    /** Stops following a live command: the session's tab was closed (the command itself runs on in the sandbox). */
    public void dispose() {
        endLive();
        elapsedTimer.cancel();
    }

    /** Reads the session's cwd and environment again. */
    public void refreshInfo() {
        SessionHandle s = session.getValue();
        if (s == null) {
            return;
        }
        executor.execute(BackgroundTask.of("read the session's environment", context -> {
                    try {
                        return s.sandbox().sessionInfo(s.sessionId());
                    } catch (SandboxNotFoundException e) {
                        // No command has run in this session yet: it has no cwd or environment to show.
                        return null;
                    }
                })
                .onSuccess(info -> {
                    if (s != session.getValue()) {
                        return;
                    }
                    showInfo(info);
                })
                .onFailure(e -> status.warn("Could not read the environment of " + s.sessionId() + ": " + ErrorMessages.describe(e))));
    }

    private void showInfo(SessionInfo info) {
        if (info == null) {
            env.clear();
            return;
        }
        cwd.set(ControlCharacters.escape(info.cwd()));
        env.setAll(info.env().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
                .map(e -> EnvVariable.of(e.getKey(), e.getValue())).toList());
    }

    /** Runs the command line in the session. */
    public void run() {
        SessionHandle s = session.getValue();
        String line = command.get();
        if (s == null || running.get() || line == null || line.isBlank()) {
            return;
        }
        if (!guard.writesAllowed().get()) {
            status.warn("This environment is read-only: commands cannot be run.");
            return;
        }
        if (!guard.approveRoutine("Run a command", "Run \"" + Secrets.abbreviateCommand(line) + "\" in session " + s.sessionId() + "?")) {
            status.warn("Not run: the service name was not typed.");
            return;
        }
        remember(line);
        command.set("");
        int timeout = Math.max(1, timeoutSeconds.get());
        append(new ConsoleLine(ConsoleLine.Kind.COMMAND, prompt() + Secrets.maskCommand(line)));
        running.set(true);
        stopping.set(false);
        exitCode.set(null);
        startTimer();
        if (liveOutput.get() && !startsInTheBackground(line)) {
            runLive(s, line, timeout);
        } else {
            runToTheEnd(s, line, timeout);
        }
    }

    /** The running command's timer: how long it has run, while it runs. */
    private void startTimer() {
        long start = System.nanoTime();
        elapsed.set(HumanReadable.duration(Duration.ZERO));
        elapsedTimer.cancel();
        elapsedTimer = executor.every(ELAPSED_TICK, () -> elapsed.set(HumanReadable.duration(Duration.ofNanos(System.nanoTime() - start))));
        running.addListener(new javafx.beans.value.ChangeListener<Boolean>() {
            @Override
            public void changed(javafx.beans.value.ObservableValue<? extends Boolean> obs, Boolean was, Boolean now) {
                if (!now) {
                    running.removeListener(this);
                    elapsedTimer.cancel();
                    elapsed.set("");
                }
            }
        });
    }

    /** {@code cmd &} (not {@code a && b}): only {@code execStateful} turns it into a listed background process. */
    static boolean startsInTheBackground(String line) {
        String t = line.strip();
        return t.endsWith("&") && !t.endsWith("&&");
    }

    private void runToTheEnd(SessionHandle s, String line, int timeout) {
        executor.execute(BackgroundTask.of("run a command in " + s.sessionId(),
                        context -> s.sandbox().execStateful(line, s.sessionId(), Duration.ofSeconds(timeout)))
                .onSuccess(r -> {
                    if (s == session.getValue()) {
                        show(r, timeout);
                        refreshInfo();
                    }
                })
                .onFailure(e -> {
                    if (s == session.getValue()) {
                        append(new ConsoleLine(ConsoleLine.Kind.FAILURE, "could not run it: " + ErrorMessages.describe(e)));
                    }
                })
                .onFinished(() -> {
                    if (s == session.getValue()) {
                        running.set(false);
                        stopping.set(false);
                    }
                }));
    }

    // ---- live output -------------------------------------------------------------------------------------

    /** A command started in the interactive shell, and how much of its output is on screen. */
    private final class LiveCommand {
        final SessionHandle session;
        final String line;
        final int timeout;
        final long startNanos = System.nanoTime();
        TaskHandle timer = TaskHandle.DONE;
        /** Characters of the output shown as whole lines. */
        int shown;
        /** The unfinished last line of the output, replaced when more of it arrives; null when none. */
        ConsoleLine partial;
        boolean reading;
        boolean timedOut;

        LiveCommand(SessionHandle session, String line, int timeout) {
            this.session = session;
            this.line = line;
            this.timeout = timeout;
        }

        boolean current() {
            return live == this && session == SessionConsoleViewModel.this.session.getValue();
        }
    }

    private void runLive(SessionHandle s, String line, int timeout) {
        LiveCommand c = new LiveCommand(s, line, timeout);
        live = c;
        executor.execute(BackgroundTask.of("start a command in " + s.sessionId(), context -> s.sandbox().exec(s.sessionId(), Optional.empty(), line))
                .onSuccess(view -> {
                    if (!c.current()) {
                        return;
                    }
                    showLive(c, view);
                    if (c.current()) {
                        c.timer = executor.every(LIVE_POLL, () -> readLive(c));
                    }
                })
                .onFailure(e -> {
                    if (!c.current()) {
                        return;
                    }
                    live = null;
                    if (e instanceof SandboxUnsupportedException) {
                        append(new ConsoleLine(ConsoleLine.Kind.NOTE, "this backend has no interactive shell, so no live output: "
                                + "the output shows when the command ends"));
                        runToTheEnd(s, line, timeout);
                    } else {
                        append(new ConsoleLine(ConsoleLine.Kind.FAILURE, "could not run it: " + ErrorMessages.describe(e)));
                        running.set(false);
                        stopping.set(false);
                    }
                }));
    }

    /** One tick: reads the output so far; past the timeout, interrupts the command as {@code execStateful} would. */
    private void readLive(LiveCommand c) {
        if (!c.current() || c.reading) {
            return;
        }
        c.reading = true;
        boolean overTime = !c.timedOut && System.nanoTime() - c.startNanos >= Duration.ofSeconds(c.timeout).toNanos();
        if (overTime) {
            c.timedOut = true;
        }
        executor.execute(BackgroundTask.of("read the output of " + c.session.sessionId(),
                        context -> overTime ? c.session.sandbox().killProcess(c.session.sessionId()) : c.session.sandbox().viewShell(c.session.sessionId()))
                .onSuccess(view -> {
                    if (c.current()) {
                        showLive(c, view);
                    }
                })
                .onFailure(e -> {
                    if (c.current()) {
                        endLive();
                        append(new ConsoleLine(ConsoleLine.Kind.FAILURE, "lost the command's output: " + ErrorMessages.describe(e)));
                        running.set(false);
                        stopping.set(false);
                    }
                })
                .onFinished(() -> c.reading = false));
    }

    private void showLive(LiveCommand c, ShellView view) {
        String text = view.output();
        if (text.length() < c.shown) {
            // The output was capped from its start: what is on screen stays, what follows is shown from here on.
            c.shown = text.length();
        }
        if (c.partial != null) {
            // Looked up, not assumed last: a note ("stopping…") may have come after it.
            int at = output.lastIndexOf(c.partial);
            if (at >= 0) {
                output.remove(at);
            }
            c.partial = null;
        }
        String fresh = text.substring(c.shown);
        int end = fresh.lastIndexOf('\n');
        List<ConsoleLine> lines = new ArrayList<>();
        if (end >= 0) {
            for (String l : fresh.substring(0, end).split("\n", -1)) {
                lines.add(new ConsoleLine(ConsoleLine.Kind.LIVE, stripCarriageReturn(l)));
            }
            c.shown += end + 1;
        }
        String tail = fresh.substring(end + 1);
        if (!tail.isEmpty()) {
            c.partial = new ConsoleLine(ConsoleLine.Kind.LIVE, stripCarriageReturn(tail));
            lines.add(c.partial);
        }
        append(lines);
        if (!view.running()) {
            finishLive(c, view);
        }
    }

    private void finishLive(LiveCommand c, ShellView view) {
        endLive();
        Duration took = Duration.ofNanos(System.nanoTime() - c.startNanos);
        int exit = view.exitCode().orElse(-1);
        List<ConsoleLine> lines = new ArrayList<>();
        if (c.timedOut) {
            lines.add(new ConsoleLine(ConsoleLine.Kind.FAILURE, "timed out after " + c.timeout + " s: interrupted; the session keeps its state"));
        } else if (stopping.get()) {
            lines.add(new ConsoleLine(ConsoleLine.Kind.FAILURE, "stopped; the session keeps its cwd and exports"));
        }
        lines.add(new ConsoleLine(exit == 0 ? ConsoleLine.Kind.SUCCESS : ConsoleLine.Kind.FAILURE, "exit " + exit + " · "
                + HumanReadable.duration(took) + " · live: stdout and stderr interleaved"));
        append(lines);
        exitCode.set(exit);
        lastDuration.set(HumanReadable.duration(took));
        running.set(false);
        stopping.set(false);
        // The interactive view has no cwd; the session's info has it.
        refreshInfo();
    }

    private void endLive() {
        if (live != null) {
            live.timer.cancel();
            live = null;
        }
    }

    private static String stripCarriageReturn(String l) {
        return l.endsWith("\r") ? l.substring(0, l.length() - 1) : l;
    }

    /**
     * Stops the running command ({@link io.sandboxops.core.api.Sandbox#killProcess}): SIGINT to it and its shell,
     * then SIGKILL; the session keeps its cwd and exports.
     */
    public void stop() {
        SessionHandle s = session.getValue();
        if (s == null || !running.get() || stopping.get()) {
            return;
        }
        stopping.set(true);
        append(new ConsoleLine(ConsoleLine.Kind.NOTE, "stopping…"));
        executor.execute(BackgroundTask.ofRunnable("stop the command in " + s.sessionId(), () -> s.sandbox().killProcess(s.sessionId()))
                .onFailure(e -> {
                    stopping.set(false);
                    append(new ConsoleLine(ConsoleLine.Kind.FAILURE, "could not stop it: " + ErrorMessages.describe(e)));
                }));
    }

    private String prompt() {
        // Before the first command the cwd is not known yet; a bare "$" says so without guessing.
        return cwd.get().isEmpty() ? "$ " : cwd.get() + " $ ";
    }

    private void show(ExecResult r, int timeout) {
        List<ConsoleLine> lines = new ArrayList<>();
        r.stdout().lines().forEach(l -> lines.add(new ConsoleLine(ConsoleLine.Kind.STDOUT, l)));
        r.stderr().lines().forEach(l -> lines.add(new ConsoleLine(ConsoleLine.Kind.STDERR, l)));
        if (r.stdoutDroppedBytes() > 0 || r.stderrDroppedBytes() > 0) {
            lines.add(new ConsoleLine(ConsoleLine.Kind.NOTE, "output capped: " + HumanReadable.bytes(r.stdoutDroppedBytes())
                    + " of stdout and " + HumanReadable.bytes(r.stderrDroppedBytes()) + " of stderr were dropped"));
        }
        if (stopping.get()) {
            lines.add(new ConsoleLine(ConsoleLine.Kind.FAILURE, "stopped; the session keeps its cwd and exports"));
        }
        if (r.timedOut()) {
            lines.add(new ConsoleLine(ConsoleLine.Kind.FAILURE, "timed out after " + timeout + " s: interrupted; the session keeps its state"));
        }
        if (r.backgroundPid().isPresent()) {
            lines.add(new ConsoleLine(ConsoleLine.Kind.NOTE, "started in the background as pid " + r.backgroundPid().getAsLong()
                    + " (see Processes)"));
        }
        String footer = "exit " + r.exitCode() + " · " + HumanReadable.duration(r.duration());
        lines.add(new ConsoleLine(r.succeeded() ? ConsoleLine.Kind.SUCCESS : ConsoleLine.Kind.FAILURE, footer));
        append(lines);
        exitCode.set(r.exitCode());
        lastDuration.set(HumanReadable.duration(r.duration()));
        cwd.set(ControlCharacters.escape(r.cwd()));
    }

    private void append(ConsoleLine line) {
        append(List.of(line));
    }

    private void append(List<ConsoleLine> lines) {
        output.addAll(lines);
        int excess = output.size() - MAX_LINES;
        if (excess > 0) {
            output.remove(0, excess);
        }
    }

    public void clearOutput() {
        output.clear();
    }

    // ---- history ----------------------------------------------------------------------------------------

    private void remember(String line) {
        if (history.isEmpty() || !history.get(history.size() - 1).equals(line)) {
            history.add(line);
            if (history.size() > MAX_HISTORY) {
                history.remove(0);
            }
        }
        historyIndex = history.size();
        draft = "";
    }

    /** Up: the previous command; the line being typed is kept to come back to. */
    public void historyUp() {
        if (historyIndex == 0) {
            return;
        }
        if (historyIndex == history.size()) {
            draft = command.get();
        }
        historyIndex--;
        command.set(history.get(historyIndex));
    }

    /** Down: the next command, and past the last one the line that was being typed. */
    public void historyDown() {
        if (historyIndex >= history.size()) {
            return;
        }
        historyIndex++;
        command.set(historyIndex == history.size() ? draft : history.get(historyIndex));
    }

    public List<String> history() {
        return List.copyOf(history);
    }

    // ---- properties -------------------------------------------------------------------------------------

    public StringProperty commandProperty() {
        return command;
    }

    public ObservableList<ConsoleLine> output() {
        return output;
    }

    /** The cwd after the last command: the prompt. */
    public ReadOnlyStringProperty cwdProperty() {
        return cwd.getReadOnlyProperty();
    }

    /** The last command's exit code; null before the first one and while one runs. */
    public ReadOnlyObjectProperty<Integer> exitCodeProperty() {
        return exitCode.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty lastDurationProperty() {
        return lastDuration.getReadOnlyProperty();
    }

    /** How long the running command has run so far; empty when none runs. */
    public ReadOnlyStringProperty elapsedProperty() {
        return elapsed.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty runningProperty() {
        return running.getReadOnlyProperty();
    }

    /** False in a read-only environment, where no command runs. */
    public BooleanBinding writesAllowedProperty() {
        return guard.writesAllowed();
    }

    public ReadOnlyBooleanProperty stoppingProperty() {
        return stopping.getReadOnlyProperty();
    }

    public IntegerProperty timeoutSecondsProperty() {
        return timeoutSeconds;
    }

    public ObservableList<EnvVariable> env() {
        return env;
    }

    public BooleanProperty revealSecretsProperty() {
        return revealSecrets;
    }

    /** Whether commands show their output while they run (interleaved), rather than apart when they end. */
    public BooleanProperty liveOutputProperty() {
        return liveOutput;
    }

    public BooleanBinding canRunProperty() {
        return canRun;
    }
}
