package io.sandboxops.app.console.testing;

import io.sandboxops.core.api.SandboxUnsupportedException;
import io.sandboxops.core.api.Terminal;
import io.sandboxops.core.api.TerminalSize;
import io.sandboxops.core.api.BackgroundProcess;
import io.sandboxops.core.api.ExecResult;
import io.sandboxops.core.api.FileEntry;
import io.sandboxops.core.api.KillResult;
import io.sandboxops.core.api.KillTarget;
import io.sandboxops.core.api.LineRange;
import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxInvalidInputException;
import io.sandboxops.core.api.SandboxNotFoundException;
import io.sandboxops.core.api.SandboxTooLargeException;
import io.sandboxops.core.api.SandboxUnsupportedException;
import io.sandboxops.core.api.SearchMatch;
import io.sandboxops.core.api.SessionInfo;
import io.sandboxops.core.api.ShellView;
import io.sandboxops.core.api.TransferProgress;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * An in-memory sandbox for view-model tests: sessions with a cwd, env and last command; a file tree; background
 * processes; and commands answered by a script the test sets ({@link #onCommand}). Only what the console
 * uses is implemented; the rest refuses as an unsupporting backend would.
 */
public final class FakeSandbox implements Sandbox {

    private final String id;
    private final Instant created;
    private final Map<String, SessionInfo> sessions = new ConcurrentHashMap<>();
    private final Map<String, byte[]> files = new TreeMap<>();
    private final Set<String> dirs = new java.util.TreeSet<>(List.of("/"));
    private final Map<Long, BackgroundProcess> processes = new LinkedHashMap<>();
    private final Map<Long, String> logs = new ConcurrentHashMap<>();
    private Function<String, ExecResult> script;
    private long nextPid = 100;
    public volatile boolean destroyed;
    public volatile boolean closed;
    public final List<String> commands = new ArrayList<>();
    /** The sessions a terminal was asked for (none opens: real terminals are tested on Docker). */
    public final List<String> terminalsAsked = new java.util.concurrent.CopyOnWriteArrayList<>();

    public FakeSandbox(String id, Instant created) {
        this.id = id;
        this.created = created;
    }

    /** What a command prints and exits with, besides the built-in {@code cd} and trailing {@code &}. */
    public FakeSandbox onCommand(Function<String, ExecResult> script) {
        this.script = script;
        return this;
    }

    public static ExecResult result(int exit, String stdout, String stderr) {
        return new ExecResult(exit, stdout, stderr, "", "", OptionalLong.empty(), false, Duration.ofMillis(12), 0, 0);
    }

    public Instant created() {
        return created;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String backend() {
        return FakeSandboxBackend.NAME;
    }

    @Override
    public void ensureReady() {
    }

    @Override
    public void destroy() {
        destroyed = true;
    }

    @Override
    public boolean supportsBrowser() {
        return false;
    }

    @Override
    public Optional<URI> cdpUrl() {
        return Optional.empty();
    }

    @Override
    public Optional<URI> vncUrl() {
        return Optional.empty();
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public synchronized ExecResult execStateful(String command, String sessionId, Duration timeout) {
        commands.add(command);
        SessionInfo s = sessions.computeIfAbsent(sessionId, k -> new SessionInfo(k, id, backend(), "/workspace",
                Map.of("HOME", "/home/user"), Instant.now(), Instant.now(), Optional.empty(), 0));
        String cwd = s.cwd();
        String rest = command;
        if (command.startsWith("cd ")) {
            int and = command.indexOf("&&");
            cwd = (and < 0 ? command.substring(3) : command.substring(3, and)).strip();
            rest = and < 0 ? "" : command.substring(and + 2).strip();
        }
        OptionalLong pid = OptionalLong.empty();
        if (rest.endsWith("&")) {
            long p = nextPid++;
            String cmd = rest.substring(0, rest.length() - 1).strip();
            processes.put(p, new BackgroundProcess(p, sessionId, cmd, true, Instant.now(), "/tmp/bg-" + p + ".log"));
            logs.put(p, "started " + cmd + "\n");
            pid = OptionalLong.of(p);
            rest = "";
        }
        ExecResult scripted = script == null || rest.isEmpty() ? result(0, rest.startsWith("echo ") ? rest.substring(5) + "\n" : "", "")
                : script.apply(rest);
        sessions.put(sessionId, new SessionInfo(sessionId, id, backend(), cwd, s.env(), s.createdAt(), Instant.now(), Optional.of(command), 0));
        return new ExecResult(scripted.exitCode(), scripted.stdout(), scripted.stderr(), cwd, sessionId, pid, scripted.timedOut(),
                scripted.duration(), 0, 0);
    }

    public void setEnv(String sessionId, Map<String, String> env) {
        SessionInfo s = sessions.get(sessionId);
        sessions.put(sessionId, new SessionInfo(sessionId, id, backend(), s == null ? "/workspace" : s.cwd(), env,
                Instant.now(), Instant.now(), s == null ? Optional.empty() : s.lastCommand(), 0));
    }

    private final java.util.Deque<ShellView> interactive = new java.util.ArrayDeque<>();
    /** What was asked of the interactive shell: {@code exec: <command>}, {@code view}, {@code kill}. */
    public final List<String> interactiveCalls = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * Gives this sandbox an interactive shell for the next {@link #exec}: it returns the first output, each
     * {@link #viewShell} the next, and the last one has ended with {@code exitCode}.
     */
    public synchronized void scriptInteractive(int exitCode, String... outputsSoFar) {
        interactive.clear();
        for (int i = 0; i < outputsSoFar.length; i++) {
            boolean last = i == outputsSoFar.length - 1;
            interactive.add(new ShellView("", "", outputsSoFar[i], !last, last ? java.util.OptionalInt.of(exitCode) : java.util.OptionalInt.empty()));
        }
    }

    @Override
    public synchronized ShellView exec(String sessionId, Optional<String> execDir, String command) {
        if (interactive.isEmpty()) {
            throw new SandboxUnsupportedException("the fake sandbox has no interactive shell");
        }
        interactiveCalls.add("exec: " + command);
        return next();
    }

    @Override
    public synchronized ShellView viewShell(String sessionId) {
        if (interactive.isEmpty()) {
            throw new SandboxUnsupportedException("the fake sandbox has no interactive shell");
        }
        interactiveCalls.add("view");
        return next();
    }

    private ShellView next() {
        return interactive.size() > 1 ? interactive.poll() : interactive.peek();
    }

    @Override
    public ShellView waitForProcess(String sessionId, Duration timeout) {
        throw new SandboxUnsupportedException("the fake sandbox has no interactive shell");
    }

    @Override
    public void writeToProcess(String sessionId, String input, boolean pressEnter) {
        throw new SandboxUnsupportedException("the fake sandbox has no interactive shell");
    }

    @Override
    public synchronized ShellView killProcess(String sessionId) {
        if (interactive.isEmpty()) {
            throw new SandboxUnsupportedException("the fake sandbox has no interactive shell");
        }
        interactiveCalls.add("kill");
        ShellView now = interactive.peek();
        interactive.clear();
        interactive.add(new ShellView("", "", now.output(), false, java.util.OptionalInt.of(130)));
        return interactive.peek();
    }

    @Override
    public synchronized List<BackgroundProcess> listBackgroundProcesses(Optional<String> sessionId) {
        return processes.values().stream().filter(p -> sessionId.map(p.sessionId()::equals).orElse(true)).toList();
    }

    @Override
    public synchronized KillResult killBackgroundProcess(KillTarget target) {
        if (target instanceof KillTarget.Pid p && !processes.containsKey(p.pid())) {
            throw new SandboxNotFoundException("no background process " + p.pid());
        }
        List<Long> killed = new ArrayList<>();
        processes.replaceAll((pid, p) -> {
            if (p.running() && target.matches(p)) {
                killed.add(pid);
                return new BackgroundProcess(pid, p.sessionId(), p.command(), false, p.startedAt(), p.logFile());
            }
            return p;
        });
        return KillResult.of(killed);
    }

    public void appendLog(long pid, String text) {
        logs.merge(pid, text, String::concat);
    }

    @Override
    public String backgroundLogs(long pid, int maxBytes) {
        String log = logs.get(pid);
        if (log == null) {
            throw new SandboxNotFoundException("no background process " + pid);
        }
        return log.length() > maxBytes ? log.substring(log.length() - maxBytes) : log;
    }

    // ---- files ---------------------------------------------------------------------------------------------

    public synchronized void putFile(String path, String content) {
        files.put(path, content.getBytes(StandardCharsets.UTF_8));
        for (String p = parent(path); p != null; p = parent(p)) {
            dirs.add(p);
        }
    }

    public synchronized Optional<String> file(String path) {
        return Optional.ofNullable(files.get(path)).map(b -> new String(b, StandardCharsets.UTF_8));
    }

    public synchronized Optional<byte[]> bytes(String path) {
        return Optional.ofNullable(files.get(path));
    }

    private static String parent(String path) {
        if (path.equals("/")) {
            return null;
        }
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    @Override
    public synchronized String fileRead(String path, LineRange range) {
        if (dirs.contains(path)) {
            throw new SandboxInvalidInputException(path + " is a directory");
        }
        return file(path).orElseThrow(() -> new SandboxNotFoundException("no such file: " + path));
    }

    @Override
    public synchronized void fileWrite(String path, String content, boolean append, boolean leadingNewline, boolean trailingNewline) {
        String text = (leadingNewline ? "\n" : "") + content + (trailingNewline ? "\n" : "");
        putFile(path, append ? file(path).orElse("") + text : text);
    }

    @Override
    public synchronized boolean fileExists(String path) {
        return files.containsKey(path) || dirs.contains(path);
    }

    @Override
    public synchronized void fileDelete(String path) {
        if (files.remove(path) == null && !dirs.remove(path)) {
            throw new SandboxNotFoundException("no such file: " + path);
        }
    }

    @Override
    public synchronized List<FileEntry> fileList(String path) {
        if (!dirs.contains(path)) {
            throw new SandboxNotFoundException("no such directory: " + path);
        }
        String prefix = path.endsWith("/") ? path : path + "/";
        Map<String, FileEntry> out = new TreeMap<>();
        for (String d : dirs) {
            if (d.startsWith(prefix) && d.length() > prefix.length() && d.indexOf('/', prefix.length()) < 0) {
                String name = d.substring(prefix.length());
                out.put(name, new FileEntry(name, d, FileEntry.Type.DIRECTORY, 4096, 0755, Instant.EPOCH));
            }
        }
        files.forEach((p, b) -> {
            if (p.startsWith(prefix) && p.indexOf('/', prefix.length()) < 0) {
                String name = p.substring(prefix.length());
                out.put(name, new FileEntry(name, p, FileEntry.Type.FILE, b.length, 0644, Instant.EPOCH));
            }
        });
        return List.copyOf(out.values());
    }

    @Override
    public List<SearchMatch> fileSearch(String path, String regex) {
        throw new SandboxUnsupportedException("not in the fake");
    }

    @Override
    public List<String> fileFind(String dir, String glob) {
        throw new SandboxUnsupportedException("not in the fake");
    }

    @Override
    public int fileReplace(String path, String oldText, String newText) {
        throw new SandboxUnsupportedException("not in the fake");
    }

    @Override
    public long fileUpload(InputStream content, long size, String path, TransferProgress progress) {
        if (size > MAX_TRANSFER_BYTES) {
            throw new SandboxTooLargeException("too large");
        }
        try {
            java.io.ByteArrayOutputStream buffer = new java.io.ByteArrayOutputStream();
            byte[] chunk = new byte[8192];
            long done = 0;
            int n;
            while (done < size && (n = content.read(chunk, 0, (int) Math.min(chunk.length, size - done))) > 0) {
                buffer.write(chunk, 0, n);
                done += n;
                progress.onProgress(done, size);
            }
            if (done < size) {
                throw new SandboxInvalidInputException("the stream ended after " + done + " of " + size + " bytes");
            }
            synchronized (this) {
                files.put(path, buffer.toByteArray());
                for (String p = parent(path); p != null; p = parent(p)) {
                    dirs.add(p);
                }
            }
            return done;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public long fileDownload(String path, OutputStream out, TransferProgress progress) {
        byte[] b = bytes(path).orElseThrow(() -> new SandboxNotFoundException("no such file: " + path));
        try {
            for (int off = 0; off < b.length; off += 8192) {
                int n = Math.min(8192, b.length - off);
                out.write(b, off, n);
                progress.onProgress(off + n, b.length);
            }
            return b.length;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public long fileDownload(String path, Path localTarget, TransferProgress progress) {
        throw new SandboxUnsupportedException("not in the fake");
    }

    // ---- sessions ------------------------------------------------------------------------------------------

    @Override
    public List<SessionInfo> listSessions() {
        return List.copyOf(sessions.values());
    }

    @Override
    public SessionInfo sessionInfo(String sessionId) {
        SessionInfo s = sessions.get(sessionId);
        if (s == null) {
            throw new SandboxNotFoundException("session " + sessionId + " has not run a command");
        }
        return s;
    }

    @Override
    public Terminal openTerminal(String sessionId, TerminalSize size) {
        terminalsAsked.add(sessionId);
        throw new SandboxUnsupportedException("the console's fake sandbox has no terminals");
    }

    @Override
    public void closeSession(String sessionId) {
        if (sessions.remove(sessionId) == null) {
            throw new SandboxNotFoundException("no session " + sessionId);
        }
    }

    @Override
    public List<String> cleanupAllSessions(Set<String> exclude) {
        List<String> closed = sessions.keySet().stream().filter(s -> !exclude.contains(s)).toList();
        closed.forEach(sessions::remove);
        return closed;
    }
}
