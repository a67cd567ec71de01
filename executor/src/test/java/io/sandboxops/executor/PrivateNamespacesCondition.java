package io.sandboxops.executor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Enables {@link RequiresPrivateNamespaces} tests where this machine can make private mount namespaces. */
final class PrivateNamespacesCondition implements ExecutionCondition {

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        String reason = missing();
        if (reason == null) {
            return ConditionEvaluationResult.enabled("root with unshare and setpriv");
        }
        if (Boolean.getBoolean("sandbox.requireDocker")) {
            return ConditionEvaluationResult.enabled("CI requires these tests although " + reason);
        }
        String message = "SKIPPED (needs root for private mount namespaces): " + reason;
        System.err.println("[executor] " + context.getDisplayName() + ": " + message);
        return ConditionEvaluationResult.disabled(message);
    }

    private static String missing() {
        for (String tool : List.of("unshare", "setpriv")) {
            boolean found = List.of("/usr/bin/", "/bin/", "/usr/sbin/", "/sbin/").stream().anyMatch(d -> Files.isExecutable(Path.of(d + tool)));
            if (!found) {
                return tool + " is not installed (util-linux)";
            }
        }
        try {
            Process p = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
            String uid = new String(p.getInputStream().readAllBytes()).strip();
            p.waitFor();
            return uid.equals("0") ? null : "this user is uid " + uid + ", not root";
        } catch (IOException e) {
            return "cannot tell the user id: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
