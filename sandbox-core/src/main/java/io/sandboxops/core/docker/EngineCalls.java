package io.sandboxops.core.docker;

/**
 * Told of each request a client from {@link DockerEngine#connect(EngineCalls)} makes, for a profile of where an
 * operation spends its time (the start benchmark prints one for create). For an attached stream, "answered" is when
 * the engine's answer began, not when the stream ended.
 */
@FunctionalInterface
public interface EngineCalls {
    EngineCalls NONE = (call, startNanos, answeredNanos) -> {
    };

    /**
     * @param call          method and path, e.g. {@code POST /v1.41/containers/create?name=…}
     * @param startNanos    {@link System#nanoTime()} when the request was sent
     * @param answeredNanos {@link System#nanoTime()} when its answer began
     */
    void answered(String call, long startNanos, long answeredNanos);
}
