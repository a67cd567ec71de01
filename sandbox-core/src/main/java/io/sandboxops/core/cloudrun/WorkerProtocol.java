package io.sandboxops.core.cloudrun;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.sandboxops.core.api.ExecResult;
import io.sandboxops.core.api.SandboxConflictException;
import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.api.SandboxInvalidInputException;
import io.sandboxops.core.api.SandboxNotFoundException;
import io.sandboxops.core.api.SandboxTimeoutException;
import io.sandboxops.core.api.SandboxTooLargeException;
import io.sandboxops.core.api.SandboxUnavailableException;
import io.sandboxops.core.api.SandboxUnsupportedException;
import io.sandboxops.core.api.ShellView;
import io.sandboxops.core.state.ShellState;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What a client and an executor say to each other through the bucket: requests in an inbox, responses in an
 * outbox (a session worker), and a once-mode {@code result.json}, which is a {@link Response}. Plain JSON
 * records, shared by both ends.
 *
 * <p><b>Terminals</b> (session mode only; issue 14) use the same signed mailbox, with the {@code terminal-*}
 * operations and a {@link TerminalRequest}: {@code terminal-open} starts a bash on a pseudo-terminal in the worker;
 * the client then keeps one {@code terminal-read} waiting at the worker (a long poll of up to 20 s, answered as soon
 * as output exists, with all of it up to {@link #TERMINAL_MAX_OUTPUT} bytes in one {@link TerminalChunk}), and sends
 * input one {@code terminal-input} at a time (everything typed meanwhile, up to {@link #TERMINAL_MAX_INPUT} bytes).
 * Offsets make both directions exact: a read names the output bytes received so far (acknowledging them; the
 * worker keeps what it sent until then, so a lost answer is sent again), an input names the input bytes sent before
 * it (the worker types each byte once, in order). The worker holds at most 1 MiB of unacknowledged output per
 * terminal and stops reading the pseudo-terminal beyond it, so a fast writer waits. Every answer to a terminal
 * operation, error or not, carries a {@link TerminalChunk} whose MAC ({@link MailboxKey#tag}) covers the request id
 * and every field; the client removes any other answer unread. A terminal nobody asked anything of for 60 s (or the
 * worker's idle timeout, when shorter) is closed by the worker, as is every terminal of a closed session.
 */
public final class WorkerProtocol {
    private static final SecureRandom RANDOM = new SecureRandom();

    private WorkerProtocol() {
    }

    /**
     * The operations a worker answers. Every one is sent by the client, {@link CloudRunJobsSandbox}, through a signed
     * mailbox ({@link MailboxKey}): to the session worker in {@code session} mode, or to an interactive command's own
     * execution in {@code once} mode (only the interactive operations there). On the wire each is its {@link #wire()}
     * name, so a client and a worker of different builds agree on every operation both know.
     */
    public enum Op {
        /** Runs {@code command} in the shell session to its end or {@code timeoutMillis}; answers with the {@link Exec}. */
        EXEC("exec"),
        /** Starts {@code command} interactively in the session (in {@code dir}), without waiting; answers with its {@link View}. */
        START("start"),
        /** Answers the {@link View} of the session's interactive command as it is now. */
        VIEW("view"),
        /** Waits up to {@code timeoutMillis} for the session's interactive command to end; answers with its {@link View}. */
        WAIT("wait"),
        /** Writes {@code input} to the session's interactive command. */
        INPUT("input"),
        /** Ends the session's interactive command; answers with its last {@link View}. */
        KILL("kill"),
        /** Lists the background processes, of one session or (no {@code session}) of all. */
        BG_LIST("bg-list"),
        /** Ends the background processes {@code pids}; answers with those it ended. */
        BG_KILL("bg-kill"),
        /** Answers up to {@code maxBytes} of the output of background process {@code pid}. */
        BG_LOGS("bg-logs"),
        /** Ends the shell session and forgets it. */
        CLOSE_SESSION("close-session"),
        /**
         * Writes the persisted files back to the bucket now (a checkpoint). The worker answers it; the client of this
         * build does not send it (the worker checkpoints by itself between requests and when it leaves).
         */
        SYNC("sync"),
        /**
         * Opens terminal {@link TerminalRequest#terminal()} on the session: a bash on a pseudo-terminal of
         * {@code columns}×{@code rows} in the session's cwd with its saved state. Answers when the shell has started.
         */
        TERMINAL_OPEN("terminal-open"),
        /**
         * Writes {@link TerminalRequest#data()} (base64, at most {@link #TERMINAL_MAX_INPUT} bytes) to the terminal as
         * typed. {@code offset} is how many input bytes the client sent before these: the worker takes only the next
         * bytes in order, once (a batch sent again is not typed twice, one arriving before its predecessor is refused).
         */
        TERMINAL_INPUT("terminal-input"),
        /** Sets the terminal's size ({@code columns}×{@code rows}): TIOCSWINSZ on its pseudo-terminal, so SIGWINCH. */
        TERMINAL_RESIZE("terminal-resize"),
        /**
         * Long-polls the terminal's output: answers as soon as output past {@code offset} exists (everything there is,
         * up to {@link #TERMINAL_MAX_OUTPUT} bytes, in one {@link TerminalChunk}), when the shell has ended, or after
         * {@code timeoutMillis} with nothing. {@code offset} also acknowledges: output before it is dropped by the
         * worker, output after it is kept until a later read acknowledges it, so an answer lost on the way is sent again.
         */
        TERMINAL_READ("terminal-read"),
        /**
         * Ends the terminal: SIGHUP to every process of its shell's session and every process holding its terminal,
         * SIGKILL to those left 2 s later; answers with the shell's exit status. A terminal whose shell exited stays
         * until this (or the idle limit), so it also ends the jobs the shell left running.
         */
        TERMINAL_CLOSE("terminal-close");

        private final String wire;

        Op(String wire) {
            this.wire = wire;
        }

        /** The operation's name in a request's JSON. */
        @JsonValue
        public String wire() {
            return wire;
        }

        /**
         * The operation named {@code wire} in a request's JSON; null for a name this build does not know (a newer
         * client's), so the request still reads and the worker answers it as an unknown operation, not as a broken
         * request.
         */
        @JsonCreator
        public static Op fromWire(String wire) {
            for (Op op : values()) {
                if (op.wire.equals(wire)) {
                    return op;
                }
            }
            return null;
        }

        @Override
        public String toString() {
            return wire;
        }
    }

    /**
     * One request. Fields not used by an operation are null or 0.
     *
     * @param id        unique, and sorting in the order requests were made
     * @param op        one of {@link Op}
     * @param session   the shell session
     * @param command   the command of {@code exec} and {@code start}
     * @param timeoutMillis how long {@code exec} may run, or {@code wait} may wait
     * @param dir       where {@code start} runs its command; null for the cwd
     * @param input     what {@code input} writes
     * @param pids      what {@code bg-kill} ends
     * @param pid       whose output {@code bg-logs} returns
     * @param maxBytes  how much of it
     * @param terminal  what a terminal operation names (null for the others)
     */
    /**
     * A once-mode command, handed to its execution through the bucket rather than its arguments: Cloud Run shows an
     * execution's arguments to every viewer of the project, and a command may hold a secret.
     */
    public record CommandText(String command) {
    }

    public record Request(String id, Op op, String session, String command, long timeoutMillis, String dir, String input,
                          List<Long> pids, long pid, int maxBytes, TerminalRequest terminal) {
        public Request(String id, Op op, String session, String command, long timeoutMillis, String dir, String input,
                       List<Long> pids, long pid, int maxBytes) {
            this(id, op, session, command, timeoutMillis, dir, input, pids, pid, maxBytes, null);
        }

        public static Request of(Op op, String session) {
            return new Request(newId(), op, session, null, 0, null, null, null, 0, 0);
        }

        /** A terminal operation on {@code session}'s terminal. */
        public static Request terminal(Op op, String session, TerminalRequest t) {
            return new Request(newId(), op, session, null, 0, null, null, null, 0, 0, t);
        }

        public Request withCommand(String c, Duration timeout) {
            return new Request(id, op, session, c, timeout.toMillis(), dir, input, pids, pid, maxBytes, terminal);
        }

        public Request withDir(String d) {
            return new Request(id, op, session, command, timeoutMillis, d, input, pids, pid, maxBytes, terminal);
        }

        public Request withInput(String in) {
            return new Request(id, op, session, command, timeoutMillis, dir, in, pids, pid, maxBytes, terminal);
        }

        public Request withLogs(long p, int max) {
            return new Request(id, op, session, command, timeoutMillis, dir, input, pids, p, max, terminal);
        }

        public Request withTimeout(Duration timeout) {
            return new Request(id, op, session, command, timeout.toMillis(), dir, input, pids, pid, maxBytes, terminal);
        }
    }

    /**
     * One answer: exactly one of the payloads, or an error.
     *
     * @param errorType  the kind of {@link SandboxException} ({@link #errorType}), null when it succeeded
     */
    public record Response(String id, String errorType, String error, Exec exec, View view, List<ShellState.Background> background,
                           List<Long> killed, String logs, TerminalChunk terminal) {
        public static Response ok(String id) {
            return new Response(id, null, null, null, null, null, null, null, null);
        }

        public static Response failed(String id, Throwable t) {
            String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
            return new Response(id, WorkerProtocol.errorType(t), message, null, null, null, null, null, null);
        }

        public Response withTerminal(TerminalChunk c) {
            return new Response(id, errorType, error, exec, view, background, killed, logs, c);
        }

        public Response withExec(Exec e) {
            return new Response(id, errorType, error, e, view, background, killed, logs, terminal);
        }

        public Response withView(View v) {
            return new Response(id, errorType, error, exec, v, background, killed, logs, terminal);
        }

        public Response withBackground(List<ShellState.Background> b) {
            return new Response(id, errorType, error, exec, view, b, killed, logs, terminal);
        }

        public Response withKilled(List<Long> k) {
            return new Response(id, errorType, error, exec, view, background, k, logs, terminal);
        }

        public Response withLogs(String l) {
            return new Response(id, errorType, error, exec, view, background, killed, l, terminal);
        }

        /** @return this response, or throws the exception it carries */
        public Response orThrow() {
            if (errorType != null) {
                throw toException(errorType, error);
            }
            return this;
        }
    }

    /** The most input bytes one {@link Op#TERMINAL_INPUT} carries; a client splits larger writes. */
    public static final int TERMINAL_MAX_INPUT = 64 * 1024;
    /** The most output bytes one {@link Op#TERMINAL_READ} answers with. */
    public static final int TERMINAL_MAX_OUTPUT = 512 * 1024;

    /**
     * What a terminal operation names besides its session.
     *
     * @param terminal the terminal: 32 hex digits the client chose at open
     * @param offset   input: bytes sent before {@code data}; read: output bytes received so far
     * @param columns  open and resize: the size
     * @param rows     open and resize: the size
     * @param data     input: the bytes, base64
     */
    public record TerminalRequest(String terminal, long offset, int columns, int rows, String data) {
        private static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("[0-9a-f]{32}");

        /** A new terminal id: 128 random bits. */
        public static String newTerminalId() {
            byte[] b = new byte[16];
            RANDOM.nextBytes(b);
            return HexFormat.of().formatHex(b);
        }

        /** Whether {@code id} has the form of a terminal id. */
        public static boolean isTerminalId(String id) {
            return id != null && ID.matcher(id).matches();
        }
    }

    /**
     * What every answer to a terminal operation carries, signed by the worker ({@link MailboxKey#tag}) together with the
     * answer's error, if any: code in the sandbox that holds its storage token can write an answer into the outbox, but
     * cannot make one the client accepts (no forged output, end, exit status or "not found"). An error's chunk has
     * offset -1 and no data.
     *
     * @param terminal the terminal
     * @param offset   where {@code data} starts in the terminal's output
     * @param data     the output, base64; empty when the read timed out or the shell ended with nothing more
     * @param ended    the shell has exited and this is the last of its output
     * @param exitCode the shell's exit status, when {@code ended} (128+n for signal n)
     * @param mac      {@link #signed} under the sandbox's mailbox key
     */
    public record TerminalChunk(String terminal, long offset, String data, boolean ended, Integer exitCode, String mac) {
        /** What the MAC covers: the request it answers and every field, so no answer can be moved to another read. */
        public static String signed(String sandbox, Response answer) {
            TerminalChunk c = answer.terminal();
            return String.join("\n", "terminal-answer", sandbox, answer.id(), String.valueOf(answer.errorType()), String.valueOf(answer.error()),
                    c.terminal(), Long.toString(c.offset()), c.data(), Boolean.toString(c.ended()), String.valueOf(c.exitCode()));
        }

        public TerminalChunk withMac(String m) {
            return new TerminalChunk(terminal, offset, data, ended, exitCode, m);
        }
    }

    /** An {@link ExecResult} as JSON. */
    public record Exec(int exitCode, String stdout, String stderr, String cwd, String sessionId, Long backgroundPid, boolean timedOut,
                       long durationMillis, long stdoutDroppedBytes, long stderrDroppedBytes) {
        public static Exec of(ExecResult r) {
            return new Exec(r.exitCode(), r.stdout(), r.stderr(), r.cwd(), r.sessionId(),
                    r.backgroundPid().isPresent() ? r.backgroundPid().getAsLong() : null, r.timedOut(), r.duration().toMillis(),
                    r.stdoutDroppedBytes(), r.stderrDroppedBytes());
        }

        public ExecResult toResult() {
            return new ExecResult(exitCode, stdout, stderr, cwd, sessionId, backgroundPid == null ? OptionalLong.empty() : OptionalLong.of(backgroundPid),
                    timedOut, Duration.ofMillis(durationMillis), stdoutDroppedBytes, stderrDroppedBytes);
        }
    }

    /** A {@link ShellView} as JSON. */
    public record View(String sessionId, String command, String output, boolean running, Integer exitCode) {
        public static View of(ShellView v) {
            return new View(v.sessionId(), v.command(), v.output(), v.running(), v.exitCode().isPresent() ? v.exitCode().getAsInt() : null);
        }

        public ShellView toView() {
            return new ShellView(sessionId, command, output, running, exitCode == null ? OptionalInt.empty() : OptionalInt.of(exitCode));
        }
    }

    /** A new request id: milliseconds first, so the inbox lists in arrival order. */
    public static String newId() {
        byte[] b = new byte[6];
        RANDOM.nextBytes(b);
        return String.format("%013d-%s", System.currentTimeMillis(), HexFormat.of().formatHex(b));
    }

    public static String errorType(Throwable t) {
        if (t instanceof SandboxNotFoundException) {
            return "not-found";
        }
        if (t instanceof SandboxConflictException) {
            return "conflict";
        }
        if (t instanceof SandboxInvalidInputException) {
            return "invalid";
        }
        if (t instanceof SandboxTimeoutException) {
            return "timeout";
        }
        if (t instanceof SandboxTooLargeException) {
            return "too-large";
        }
        if (t instanceof SandboxUnsupportedException) {
            return "unsupported";
        }
        if (t instanceof SandboxUnavailableException) {
            return "unavailable";
        }
        return "failed";
    }

    public static SandboxException toException(String type, String message) {
        return switch (type) {
            case "not-found" -> new SandboxNotFoundException(message);
            case "conflict" -> new SandboxConflictException(message);
            case "invalid" -> new SandboxInvalidInputException(message);
            case "timeout" -> new SandboxTimeoutException(message);
            case "too-large" -> new SandboxTooLargeException(message);
            case "unsupported" -> new SandboxUnsupportedException(message);
            case "unavailable" -> new SandboxUnavailableException(message);
            default -> new SandboxException(message);
        };
    }
}
