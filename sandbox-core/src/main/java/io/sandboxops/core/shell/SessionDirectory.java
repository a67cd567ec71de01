package io.sandboxops.core.shell;

import io.sandboxops.core.api.BackgroundProcess;
import io.sandboxops.core.api.KillResult;
import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.api.SandboxNotFoundException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The sessions a machine's shells saved under one state root, read and managed from outside any shell: what
 * a new client sees of sessions another client ran, and the background processes they started.
 */
public final class SessionDirectory {
    /** Variables bash sets on its own; they are not part of a session's environment. */
    private static final Set<String> SHELL_OWN = Set.of("PWD", "OLDPWD", "SHLVL", "_");
    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(60);

    /** What a session's shell last saved. */
    public record SavedSession(String sessionId, String cwd, Map<String, String> env, Instant createdAt, Instant updatedAt,
                               Optional<String> lastCommand, List<BackgroundProcess> background) {
    }

    private final ShellHost host;
    private final String stateRoot;

    public SessionDirectory(ShellHost host, String stateRoot) {
        this.host = host;
        this.stateRoot = stateRoot;
    }

    public String stateRoot() {
        return stateRoot;
    }

    /** @param sessionIds the sessions to read; none for all */
    public List<SavedSession> read(List<String> sessionIds) {
        List<String> args = new ArrayList<>();
        args.add(stateRoot);
        args.addAll(sessionIds);
        ProcessOutcome o = host.runScript(ShellScript.SESSIONS, args, SCRIPT_TIMEOUT);
        if (!o.succeeded()) {
            throw new SandboxException("could not read the saved sessions: " + o.stderrText());
        }
        List<SavedSession> out = new ArrayList<>();
        Builder b = null;
        for (Map.Entry<String, String> kv : NulRecords.pairs(o.stdout())) {
            String v = kv.getValue();
            switch (kv.getKey()) {
                case "session" -> {
                    if (b != null) {
                        out.add(b.build());
                    }
                    b = new Builder(v);
                }
                case "cwd" -> b.cwd = v;
                case "created" -> b.created = epoch(v);
                case "updated" -> b.updated = epoch(v);
                case "last_command" -> b.lastCommand = v;
                case "env" -> {
                    int eq = v.indexOf('=');
                    if (eq > 0 && !SHELL_OWN.contains(v.substring(0, eq))) {
                        b.env.put(v.substring(0, eq), v.substring(eq + 1));
                    }
                }
                case "bg_pid" -> b.bgPid = Long.parseLong(v);
                case "bg_started" -> b.bgStarted = epoch(v);
                case "bg_running" -> b.bgRunning = v.equals("1");
                case "bg_command" -> b.background.add(new BackgroundProcess(b.bgPid, b.sessionId, v, b.bgRunning, b.bgStarted,
                        logFile(b.bgPid)));
                default -> { }
            }
        }
        if (b != null) {
            out.add(b.build());
        }
        return out;
    }

    /** @throws SandboxNotFoundException when the session never saved a state */
    public SavedSession read(String sessionId) {
        List<SavedSession> found = read(List.of(sessionId));
        if (found.isEmpty()) {
            throw new SandboxNotFoundException("no session " + sessionId + " in this sandbox; list them with `sandboxctl session list`");
        }
        return found.get(0);
    }

    /** Every background process of every session (or of one session). */
    public List<BackgroundProcess> background(Optional<String> sessionId) {
        List<BackgroundProcess> out = new ArrayList<>();
        for (SavedSession s : read(sessionId.map(List::of).orElse(List.of()))) {
            out.addAll(s.background());
        }
        out.sort((a, b) -> a.startedAt().compareTo(b.startedAt()));
        return out;
    }

    /** Ends the process groups of {@code pids} (SIGTERM, then SIGKILL after a grace period). */
    public KillResult kill(List<Long> pids, Duration grace) {
        if (pids.isEmpty()) {
            return KillResult.of(List.of());
        }
        List<String> args = new ArrayList<>();
        args.add(Long.toString(Math.max(1, grace.toMillis() / 100)));
        pids.forEach(p -> args.add(Long.toString(p)));
        ProcessOutcome o = host.runScript(ShellScript.KILL_BACKGROUND, args, grace.plus(SCRIPT_TIMEOUT));
        if (!o.succeeded()) {
            throw new SandboxException("could not kill background processes " + pids + ": " + o.stderrText());
        }
        List<Long> killed = o.stdoutText().lines().filter(l -> !l.isBlank()).map(Long::parseLong).toList();
        return KillResult.of(killed);
    }

    /** The last {@code maxBytes} a background process wrote. */
    public String logs(long pid, int maxBytes) {
        ProcessOutcome o = host.run(List.of("tail", "-c", Integer.toString(maxBytes), logFile(pid)), SCRIPT_TIMEOUT, maxBytes + 16L);
        if (!o.succeeded()) {
            throw new SandboxNotFoundException("no log for background process " + pid + ": " + o.stderrText());
        }
        return o.stdoutText();
    }

    /** Removes a session's saved state. */
    public void remove(String sessionId) {
        ProcessOutcome o = host.run(List.of("rm", "-rf", "--", stateRoot + "/" + sessionId), SCRIPT_TIMEOUT, 1024);
        if (!o.succeeded()) {
            throw new SandboxException("could not remove the saved state of session " + sessionId + ": " + o.stderrText());
        }
    }

    public static String logFile(long pid) {
        return "/tmp/bg_" + pid + ".out";
    }

    private static Instant epoch(String s) {
        try {
            return Instant.ofEpochSecond(Long.parseLong(s.strip()));
        } catch (NumberFormatException e) {
            return Instant.EPOCH;
        }
    }

    private static final class Builder {
        final String sessionId;
        String cwd = "";
        Instant created = Instant.EPOCH;
        Instant updated = Instant.EPOCH;
        String lastCommand;
        final Map<String, String> env = new LinkedHashMap<>();
        final List<BackgroundProcess> background = new ArrayList<>();
        long bgPid;
        Instant bgStarted = Instant.EPOCH;
        boolean bgRunning;

        Builder(String sessionId) {
            this.sessionId = sessionId;
        }

        SavedSession build() {
            return new SavedSession(sessionId, cwd, Map.copyOf(env), created, updated, Optional.ofNullable(lastCommand), List.copyOf(background));
        }
    }
}
