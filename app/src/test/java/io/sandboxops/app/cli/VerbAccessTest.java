package io.sandboxops.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Walks every verb of sandboxctl: each must say whether it writes ({@link Access}), so a new verb cannot slip past
 * the production and read-only rules; a write has --env and --confirm, a read asks for nothing.
 */
class VerbAccessTest {
    private static Map<String, CommandSpec> verbs() {
        Map<String, CommandSpec> all = new LinkedHashMap<>();
        walk(SandboxCtl.commandLine(), all);
        return all;
    }

    private static void walk(CommandLine cli, Map<String, CommandSpec> into) {
        if (EnvironmentGuard.runs(cli.getCommand())) {
            into.put(cli.getCommandSpec().qualifiedName(" "), cli.getCommandSpec());
        }
        cli.getSubcommands().values().forEach(sub -> walk(sub, into));
    }

    @Test
    void everyVerbSaysWhetherItWrites() {
        List<String> unclassified = new ArrayList<>();
        verbs().forEach((name, spec) -> {
            try {
                EnvironmentGuard.kindOf(spec);
            } catch (IllegalStateException e) {
                unclassified.add(e.getMessage());
            }
        });
        assertThat(unclassified).isEmpty();
        assertThat(verbs()).hasSizeGreaterThan(30);
    }

    @Test
    void writesHaveEnvAndConfirmAndReadsAskForNothing() {
        verbs().forEach((name, spec) -> {
            Access.Kind kind = EnvironmentGuard.kindOf(spec);
            assertThat(spec.findOption("--confirm") != null).as("%s (%s) takes --confirm", name, kind).isEqualTo(kind == Access.Kind.WRITE);
            if (kind != Access.Kind.LOCAL) {
                assertThat(spec.findOption("--env")).as("%s (%s) takes --env", name, kind).isNotNull();
            }
        });
    }

    /** The list a reviewer checks against what each verb does; a verb added or reclassified shows up here. */
    @Test
    void theWritesAreTheVerbsThatChangeASandboxASessionOrTheService() {
        List<String> writes = verbs().entrySet().stream().filter(e -> EnvironmentGuard.kindOf(e.getValue()) == Access.Kind.WRITE)
                .map(Map.Entry::getKey).sorted().toList();
        assertThat(writes).containsExactly("sandboxctl attach", "sandboxctl bench concurrent", "sandboxctl bench files", "sandboxctl bench sessions", "sandboxctl bench start", "sandboxctl bench terminal",
                "sandboxctl bg kill", "sandboxctl env apply", "sandboxctl env check", "sandboxctl exec", "sandboxctl file delete", "sandboxctl file replace", "sandboxctl file upload",
                "sandboxctl file write", "sandboxctl rollout disable", "sandboxctl rollout enable", "sandboxctl rollout plan",
                "sandboxctl rollout rollback", "sandboxctl rollout set", "sandboxctl session cleanup", "sandboxctl session close",
                "sandboxctl session create");
    }
}
