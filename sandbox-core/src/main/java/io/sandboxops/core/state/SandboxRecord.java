package io.sandboxops.core.state;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What {@code sessions/{sandbox}/sandbox.json} holds: how a Cloud Run sandbox was created. Written once, with
 * {@code ifGenerationMatch=0}, so two clients cannot create the same sandbox.
 *
 * @param schemaVersion  {@link ShellState#SCHEMA_VERSION}
 * @param sandboxId      the sandbox
 * @param mode           {@code session} or {@code once}
 * @param job            the Cloud Run job its executions run in
 * @param image          the executor image
 * @param workdir        the working directory of new shells
 * @param env            environment of every shell
 * @param labels         labels given at creation
 * @param persistedRoots the directories whose files live in the bucket
 * @param createdAt      when it was created
 */
public record SandboxRecord(int schemaVersion, String sandboxId, String mode, String job, String image, String workdir,
                            Map<String, String> env, Map<String, String> labels, List<String> persistedRoots, Instant createdAt) {
    public SandboxRecord {
        env = env == null ? Map.of() : Map.copyOf(env);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        persistedRoots = persistedRoots == null ? List.of() : List.copyOf(persistedRoots);
    }
}
