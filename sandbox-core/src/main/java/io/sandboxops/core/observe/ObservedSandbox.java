package io.sandboxops.core.observe;

import io.sandboxops.core.api.BackgroundProcess;
import io.sandboxops.core.api.ExecResult;
import io.sandboxops.core.api.FileEntry;
import io.sandboxops.core.api.KillResult;
import io.sandboxops.core.api.KillTarget;
import io.sandboxops.core.api.LineRange;
import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SearchMatch;
import io.sandboxops.core.api.SessionInfo;
import io.sandboxops.core.api.ShellView;
import io.sandboxops.core.api.Terminal;
import io.sandboxops.core.api.TerminalSize;
import io.sandboxops.core.api.TransferProgress;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A {@link Sandbox} whose every operation becomes one {@link SandboxEvent}, timed here in the client: what the
 * metrics and the rollout's gates read, for every backend alike. Made by {@link ObservedSandboxBackend}; the
 * accessors that do no work ({@link #id()}, {@link #backend()}, the browser URLs, {@link #close()}) are not events.
 */
final class ObservedSandbox implements Sandbox {
    private final Sandbox delegate;
    private final SandboxEventSink sink;
    private final String sessionKey;

    ObservedSandbox(Sandbox delegate, SandboxEventSink sink) {
        this.delegate = delegate;
        this.sink = sink;
        this.sessionKey = SandboxEvent.sessionKey(delegate.id());
    }

    Sandbox delegate() {
        return delegate;
    }

    /** Runs {@code call}, then records its event; {@code detail} reads the exit code or bytes from a result. */
    private <T> T observe(String operation, Supplier<T> call, Function<T, Detail> detail) {
        long start = System.nanoTime();
        T result;
        try {
            result = call.get();
        } catch (RuntimeException | Error e) {
            record(operation, SandboxEvent.Outcome.of(e), start, Detail.NONE);
            throw e;
        }
        Detail d = detail.apply(result);
        record(operation, d.outcome, start, d);
        return result;
    }

    private <T> T observe(String operation, Supplier<T> call) {
        return observe(operation, call, r -> Detail.NONE);
    }

    private void observeVoid(String operation, Runnable call) {
        observe(operation, () -> {
            call.run();
            return null;
        });
    }

    private void record(String operation, SandboxEvent.Outcome outcome, long start, Detail d) {
        double ms = (System.nanoTime() - start) / 1e6;
        ObservedSandboxBackend.deliver(sink, () -> new SandboxEvent(Instant.now(), delegate.backend(), delegate.mode(), operation, outcome, ms,
                sessionKey, d.exitCode, d.bytes));
    }

    private record Detail(SandboxEvent.Outcome outcome, OptionalInt exitCode, OptionalLong bytes) {
        static final Detail NONE = new Detail(SandboxEvent.Outcome.OK, OptionalInt.empty(), OptionalLong.empty());

        static Detail of(ExecResult r) {
            return new Detail(r.timedOut() ? SandboxEvent.Outcome.TIMED_OUT : SandboxEvent.Outcome.OK, OptionalInt.of(r.exitCode()),
                    OptionalLong.empty());
        }

        static Detail bytes(long n) {
            return new Detail(SandboxEvent.Outcome.OK, OptionalInt.empty(), OptionalLong.of(n));
        }
    }

    @Override
    public String id() {
        return delegate.id();
    }

    @Override
    public String backend() {
        return delegate.backend();
    }

    @Override
    public String mode() {
        return delegate.mode();
    }

    @Override
    public void ensureReady() {
        observeVoid("ensure_ready", delegate::ensureReady);
    }

    @Override
    public void destroy() {
        observeVoid("destroy", delegate::destroy);
    }

    @Override
    public boolean supportsBrowser() {
        return delegate.supportsBrowser();
    }

    @Override
    public Optional<URI> cdpUrl() {
        return delegate.cdpUrl();
    }

    @Override
    public Optional<URI> vncUrl() {
        return delegate.vncUrl();
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public ExecResult execStateful(String command, String sessionId, Duration timeout) {
        return observe("exec", () -> delegate.execStateful(command, sessionId, timeout), Detail::of);
    }

    @Override
    public ShellView exec(String sessionId, Optional<String> execDir, String command) {
        return observe("shell_exec", () -> delegate.exec(sessionId, execDir, command));
    }

    @Override
    public ShellView viewShell(String sessionId) {
        return observe("shell_view", () -> delegate.viewShell(sessionId));
    }

    @Override
    public ShellView waitForProcess(String sessionId, Duration timeout) {
        return observe("shell_wait", () -> delegate.waitForProcess(sessionId, timeout));
    }

    @Override
    public void writeToProcess(String sessionId, String input, boolean pressEnter) {
        observeVoid("shell_write", () -> delegate.writeToProcess(sessionId, input, pressEnter));
    }

    @Override
    public ShellView killProcess(String sessionId) {
        return observe("shell_kill", () -> delegate.killProcess(sessionId));
    }

    @Override
    public Terminal openTerminal(String sessionId, TerminalSize size) {
        return observe("terminal_open", () -> delegate.openTerminal(sessionId, size));
    }

    @Override
    public List<BackgroundProcess> listBackgroundProcesses(Optional<String> sessionId) {
        return observe("bg_list", () -> delegate.listBackgroundProcesses(sessionId));
    }

    @Override
    public KillResult killBackgroundProcess(KillTarget target) {
        return observe("bg_kill", () -> delegate.killBackgroundProcess(target));
    }

    @Override
    public String backgroundLogs(long pid, int maxBytes) {
        return observe("bg_logs", () -> delegate.backgroundLogs(pid, maxBytes));
    }

    @Override
    public String fileRead(String path, LineRange range) {
        return observe("file_read", () -> delegate.fileRead(path, range));
    }

    @Override
    public void fileWrite(String path, String content, boolean append, boolean leadingNewline, boolean trailingNewline) {
        observeVoid("file_write", () -> delegate.fileWrite(path, content, append, leadingNewline, trailingNewline));
    }

    @Override
    public boolean fileExists(String path) {
        return observe("file_exists", () -> delegate.fileExists(path));
    }

    @Override
    public void fileDelete(String path) {
        observeVoid("file_delete", () -> delegate.fileDelete(path));
    }

    @Override
    public List<FileEntry> fileList(String path) {
        return observe("file_list", () -> delegate.fileList(path));
    }

    @Override
    public List<SearchMatch> fileSearch(String path, String regex) {
        return observe("file_search", () -> delegate.fileSearch(path, regex));
    }

    @Override
    public List<String> fileFind(String dir, String glob) {
        return observe("file_find", () -> delegate.fileFind(dir, glob));
    }

    @Override
    public int fileReplace(String path, String oldText, String newText) {
        return observe("file_replace", () -> delegate.fileReplace(path, oldText, newText));
    }

    @Override
    public long fileUpload(InputStream content, long size, String path, TransferProgress progress) {
        return observe("upload", () -> delegate.fileUpload(content, size, path, progress), Detail::bytes);
    }

    @Override
    public long fileDownload(String path, OutputStream out, TransferProgress progress) {
        return observe("download", () -> delegate.fileDownload(path, out, progress), Detail::bytes);
    }

    @Override
    public long fileDownload(String path, Path localTarget, TransferProgress progress) {
        return observe("download_tree", () -> delegate.fileDownload(path, localTarget, progress), Detail::bytes);
    }

    @Override
    public List<SessionInfo> listSessions() {
        return observe("session_list", delegate::listSessions);
    }

    @Override
    public SessionInfo sessionInfo(String sessionId) {
        return observe("session_info", () -> delegate.sessionInfo(sessionId));
    }

    @Override
    public void closeSession(String sessionId) {
        observeVoid("session_close", () -> delegate.closeSession(sessionId));
    }

    @Override
    public List<String> cleanupAllSessions(Set<String> exclude) {
        return observe("session_cleanup", () -> delegate.cleanupAllSessions(exclude));
    }

    @Override
    public String toString() {
        return delegate.toString();
    }
}
