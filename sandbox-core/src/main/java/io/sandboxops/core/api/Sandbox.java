package io.sandboxops.core.api;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * One sandbox: an isolated machine an agent runs shell commands and edits files in. Every backend (Docker,
 * Cloud Run Jobs) implements all of it; what a backend cannot do it refuses with
 * {@link SandboxUnsupportedException}, never with a silent empty answer.
 *
 * <p>A sandbox holds any number of <em>sessions</em>. A session is one persistent shell: its working directory,
 * exported variables and functions persist from one command to the next, and survive a new client (another
 * process opening the same sandbox restores them). Session ids are checked with {@link SessionIds#requireValid}.
 *
 * <p>Paths are absolute, or relative to the sandbox's working directory. Every method may throw
 * {@link SandboxUnavailableException} when the backend cannot be reached, and
 * {@link SandboxInvalidInputException} for a malformed argument; those are not repeated on each method.
 *
 * <p>Implementations are thread-safe; one session runs one command at a time.
 */
public interface Sandbox extends AutoCloseable {

    /** The most a single upload or download may move: 500 MB. */
    long MAX_TRANSFER_BYTES = 500L * 1000 * 1000;

    /** The longest a command may be given to run; a longer (or zero, or negative) timeout is refused. */
    Duration MAX_COMMAND_TIMEOUT = Duration.ofHours(24);

    /**
     * {@code timeout} when it is a command timeout this interface takes: more than zero and at most
     * {@link #MAX_COMMAND_TIMEOUT}.
     *
     * @throws SandboxInvalidInputException naming the range otherwise
     */
    static Duration requireCommandTimeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_COMMAND_TIMEOUT) > 0) {
            throw new SandboxInvalidInputException("a command's timeout must be more than 0 and at most " + MAX_COMMAND_TIMEOUT.toHours()
                    + " h, not " + timeout.toString().substring(2).toLowerCase(Locale.ROOT));
        }
        return timeout;
    }

    // ---- lifecycle ---------------------------------------------------------------------------------------

    /** @return this sandbox's id, stable for its lifetime */
    String id();

    /** @return the backend's name: {@code docker} or {@code cloudrun} */
    String backend();

    /**
     * @return how the backend runs this sandbox, as the client's operation events report it: {@code container} on
     *         Docker; {@code session} or {@code once} on Cloud Run Jobs
     */
    default String mode() {
        return backend();
    }

    /**
     * Waits until the sandbox can take commands (its container runs, its job exists).
     *
     * @throws SandboxTimeoutException when it did not become ready in time
     * @throws SandboxNotFoundException when the sandbox no longer exists
     */
    void ensureReady();

    /** Removes the sandbox and everything in it. Idempotent: destroying a removed sandbox does nothing. */
    void destroy();

    /** @return whether the sandbox runs a browser reachable by {@link #cdpUrl()} */
    boolean supportsBrowser();

    /** @return the Chrome DevTools endpoint, empty when the sandbox has no browser */
    Optional<URI> cdpUrl();

    /** @return the VNC endpoint, empty when the sandbox has no display */
    Optional<URI> vncUrl();

    /**
     * Releases this client's resources (open shells, connections) and closes the terminals it opened. The sandbox
     * itself keeps running.
     */
    @Override
    void close();

    // ---- stateful commands -------------------------------------------------------------------------------

    /**
     * Runs a shell command in the session's persistent shell and waits for it. The command runs with its
     * standard input at end-of-file. A command ending in a single {@code &} starts a background process and
     * returns at once with its pid.
     *
     * @param command   any bash command line, multi-line allowed
     * @param sessionId the session (created on first use)
     * @param timeout   how long to let it run; then its processes are interrupted, then killed, the shell
     *                  keeps its state, and the result says {@code timedOut} with the partial output
     * @return exit code, stdout and stderr kept apart, the cwd after it, the background pid if any
     * @throws SandboxConflictException when the session is already running a command
     * @throws SandboxNotFoundException when the sandbox no longer exists
     */
    ExecResult execStateful(String command, String sessionId, Duration timeout);

    // ---- legacy interactive shell ------------------------------------------------------------------------

    /**
     * Starts a command in the session's shell without waiting for it (the original protocol's
     * {@code exec_command}). Its standard input can be written with {@link #writeToProcess}.
     *
     * @param execDir the directory to run it in; empty for the session's cwd
     * @return the view right after starting
     * @throws SandboxConflictException when the session is already running a command
     * @throws SandboxNotFoundException when {@code execDir} does not exist
     */
    ShellView exec(String sessionId, Optional<String> execDir, String command);

    /**
     * @return the output of the session's last {@link #exec} so far, and whether it still runs
     * @throws SandboxNotFoundException when the session has no command started by {@link #exec}
     */
    ShellView viewShell(String sessionId);

    /**
     * Waits until the session's running command ends, or the time is up.
     *
     * @return the view at that moment; {@code running} tells which of the two happened
     * @throws SandboxNotFoundException when the session has no command started by {@link #exec}
     */
    ShellView waitForProcess(String sessionId, Duration timeout);

    /**
     * Writes to the standard input of the session's running command.
     *
     * @param pressEnter whether to add a newline after {@code input}
     * @throws SandboxNotFoundException when no command is running in the session
     */
    void writeToProcess(String sessionId, String input, boolean pressEnter);

    /**
     * Interrupts the session's running command — one started by {@link #exec}, or an {@link #execStateful} that
     * another thread waits for (which then returns with {@code timedOut} false and the interrupted exit status) —
     * with SIGINT to the command and its shell, then SIGKILL; the shell and its state survive. Reaching an
     * {@code execStateful} in flight is what the Docker backend does; the Cloud Run backend reaches only commands
     * started by {@link #exec}.
     *
     * @return the view after it ended
     * @throws SandboxNotFoundException when the session has no command it can reach
     */
    ShellView killProcess(String sessionId);

    // ---- terminals ---------------------------------------------------------------------------------------

    /**
     * Opens an interactive terminal in the session's sandbox: a bash on a pseudo-terminal of {@code size}
     * ({@code TERM=xterm-256color}), started in the session's cwd with its saved state (exported variables,
     * functions, aliases) — the sandbox's working directory and a clean environment when the session has not run a
     * command yet. Any number may be open at once, beside the session's commands; what is done in a terminal (a
     * {@code cd}, a variable) stays in that terminal, the session's state is not changed.
     *
     * @return the terminal, its shell already started
     * @throws SandboxUnsupportedException where the backend cannot keep a terminal open (Cloud Run once mode: no
     *                                     process outlives a command); the message says what to use instead
     * @throws SandboxNotFoundException when the sandbox no longer exists
     */
    Terminal openTerminal(String sessionId, TerminalSize size);

    // ---- background processes ----------------------------------------------------------------------------

    /**
     * @param sessionId only this session's processes; empty for every session's
     * @return the background processes started in the sandbox, each with whether it still runs
     */
    List<BackgroundProcess> listBackgroundProcesses(Optional<String> sessionId);

    /**
     * Ends background processes (SIGTERM to the process group, SIGKILL after a grace period).
     *
     * @return the processes that were running and were ended
     * @throws SandboxNotFoundException when a pid is given that no session started
     */
    KillResult killBackgroundProcess(KillTarget target);

    /**
     * @return the output (stdout and stderr) a background process wrote so far, at most the last
     *         {@code maxBytes} bytes
     * @throws SandboxNotFoundException when no session started that pid
     */
    String backgroundLogs(long pid, int maxBytes);

    // ---- files -------------------------------------------------------------------------------------------

    /**
     * @return the lines of a UTF-8 text file in {@code range}, joined with the file's own line endings
     * @throws SandboxNotFoundException when the path does not exist
     * @throws SandboxInvalidInputException when the path is a directory
     * @throws SandboxTooLargeException when the file is larger than {@link #MAX_TRANSFER_BYTES}
     */
    String fileRead(String path, LineRange range);

    /**
     * Writes text to a file, creating it and its parent directories as needed.
     *
     * @param append           add to the end instead of replacing
     * @param leadingNewline   put a newline before {@code content}
     * @param trailingNewline  put a newline after {@code content}
     * @throws SandboxInvalidInputException when the path is a directory, a device, fifo or socket, or not on the
     *                                      sandbox's filesystem (a kernel filesystem such as /proc; on Cloud Run, outside
     *                                      the persisted directories); nothing is written
     */
    void fileWrite(String path, String content, boolean append, boolean leadingNewline, boolean trailingNewline);

    /** @return whether anything (file, directory, link) exists at the path */
    boolean fileExists(String path);

    /**
     * Deletes a file, or a directory with everything in it.
     *
     * @throws SandboxNotFoundException when the path does not exist
     */
    void fileDelete(String path);

    /**
     * @return the entries of a directory, sorted by name
     * @throws SandboxNotFoundException when the path does not exist
     * @throws SandboxInvalidInputException when the path is not a directory
     */
    List<FileEntry> fileList(String path);

    /**
     * Searches a text file for lines that contain a match of a regex in RE2 syntax (Java's, less backreferences,
     * lookaround, atomic groups and possessive quantifiers), run in time linear in the text.
     *
     * @return the matching lines with their 1-based numbers
     * @throws SandboxInvalidInputException when the regex does not compile, uses a feature RE2 lacks (the message names it
     *                                      and the alternative), is too large, or the path is a directory
     * @throws SandboxTimeoutException when matching takes more than 10 s (a very large file)
     * @throws SandboxNotFoundException when the path does not exist
     */
    List<SearchMatch> fileSearch(String path, String regex);

    /**
     * Finds files under a directory whose path relative to it matches a glob ({@code *.py},
     * {@code **}{@code /*.txt}); a glob without {@code /} matches the file name at any depth.
     *
     * Matched in time linear in each path; at most 64 levels deep.
     *
     * @return absolute paths, sorted
     * @throws SandboxNotFoundException when the directory does not exist
     * @throws SandboxTooLargeException when the tree goes more than 64 levels deep (never a silently shorter answer)
     * @throws SandboxTimeoutException when listing or matching takes too long (a huge tree)
     */
    List<String> fileFind(String dir, String glob);

    /**
     * Replaces every occurrence of {@code oldText} with {@code newText}, literally (no regex).
     *
     * @return how many occurrences were replaced
     * @throws SandboxNotFoundException when the path does not exist
     */
    int fileReplace(String path, String oldText, String newText);

    /**
     * Streams {@code size} bytes into a file in the sandbox, creating parent directories.
     *
     * @return the bytes written
     * @throws SandboxTooLargeException when {@code size} exceeds {@link #MAX_TRANSFER_BYTES}; nothing is sent
     * @throws SandboxInvalidInputException when the stream ends before {@code size} bytes
     */
    long fileUpload(InputStream content, long size, String path, TransferProgress progress);

    /**
     * Streams a file of the sandbox into {@code out}.
     *
     * @return the bytes written
     * @throws SandboxNotFoundException when the path does not exist
     * @throws SandboxInvalidInputException when the path is a directory
     * @throws SandboxTooLargeException when the file exceeds {@link #MAX_TRANSFER_BYTES}; nothing is sent
     */
    long fileDownload(String path, OutputStream out, TransferProgress progress);

    /**
     * Downloads a file or a directory tree to the local disk. A file goes to {@code localTarget} (or into it,
     * when it is an existing directory); a directory's entries go under {@code localTarget}. No entry is ever
     * written outside {@code localTarget}, and links pointing outside it are refused.
     *
     * @return the bytes written
     * @throws SandboxNotFoundException when the path does not exist
     * @throws SandboxTooLargeException when the content exceeds {@link #MAX_TRANSFER_BYTES}
     */
    long fileDownload(String path, Path localTarget, TransferProgress progress);

    // ---- sessions ----------------------------------------------------------------------------------------

    /** @return every session that has run a command in this sandbox */
    List<SessionInfo> listSessions();

    /**
     * @throws SandboxNotFoundException when the session has never run a command here
     */
    SessionInfo sessionInfo(String sessionId);

    /**
     * Ends a session: its running command and background processes are killed, its shell stopped, its
     * saved state removed.
     *
     * @throws SandboxNotFoundException when the session does not exist
     */
    void closeSession(String sessionId);

    /**
     * Closes every session except those named.
     *
     * @return the ids of the sessions closed
     */
    List<String> cleanupAllSessions(Set<String> exclude);
}
