package io.sandboxops.core.api;

import java.time.Instant;
import java.util.Map;

/**
 * A sandbox as its backend lists it, without opening it.
 *
 * @param id        the sandbox id
 * @param backend   {@code docker} or {@code cloudrun}
 * @param state     the backend's word for its state, e.g. {@code running}, {@code exited}
 * @param image     the image it runs
 * @param createdAt when it was created
 * @param labels    the labels it carries
 */
public record SandboxSummary(String id, String backend, String state, String image, Instant createdAt, Map<String, String> labels) {
    public SandboxSummary {
        labels = Map.copyOf(labels);
    }
}
