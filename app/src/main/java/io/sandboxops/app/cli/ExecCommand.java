package io.sandboxops.app.cli;

import io.sandboxops.core.api.ExecResult;
import io.sandboxops.core.api.Sandbox;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Access(Access.Kind.WRITE)
@Command(name = "exec", description = {"Run a command in a session's shell; cwd and env persist between runs.",
        "Exits 0 when the command ran, whatever its own exit code (shown on stderr, and in --json)."},
        footerHeading = "%nExamples:%n",
        footer = {"  sandboxctl exec --session \"$ID\" -- 'cd /tmp && export GREETING=hi'",
                "  sandboxctl exec --session \"$ID\" --json -- 'pwd; echo $GREETING'",
                "  sandboxctl exec --session \"$ID\" --timeout 600 -- 'make test'"})
final class ExecCommand extends SessionScoped implements Callable<Integer> {
    @Mixin
    ConfirmOption confirm;
    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "300", description = "Interrupt the command after this long, at most 24 h (default: ${DEFAULT-VALUE}).")
    double timeoutSeconds;

    @Parameters(arity = "1..*", paramLabel = "COMMAND", description = "The command, after --; its words are joined with spaces.")
    List<String> command;

    @Override
    public Integer call() {
        Duration timeout = Usage.check(spec, () -> Sandbox.requireCommandTimeout(Duration.ofMillis((long) (timeoutSeconds * 1000))));
        ExecResult r = withSandbox(s -> s.execStateful(String.join(" ", command), session, timeout));
        Map<String, Object> json = Output.object("session_id", r.sessionId(), "exit_code", r.exitCode(), "stdout", r.stdout(),
                "stderr", r.stderr(), "cwd", r.cwd(), "timed_out", r.timedOut());
        r.backgroundPid().ifPresent(pid -> json.put("background_pid", pid));
        json.put("duration_ms", r.duration().toMillis());
        if (output.json) {
            output.print(json, null);
        } else {
            // The command's own output goes out raw, as docker exec and ssh pass it: the operator asked to see it, may pipe
            // or save it byte for byte, and keeps its colours. What the sandbox controls around it is shown inert elsewhere.
            output.out().print(r.stdout());
            output.out().flush();
            output.err().print(r.stderr());
            r.backgroundPid().ifPresent(pid -> output.err().println("[background pid " + pid + "]"));
            if (r.timedOut()) {
                output.err().println("[timed out after " + timeoutSeconds + " s; interrupted]");
            }
            if (r.exitCode() != 0) {
                output.err().println("[exit " + r.exitCode() + "]");
            }
            output.err().flush();
        }
        return 0;
    }
}
