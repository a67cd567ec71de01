package io.sandboxops.core.docker;

import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.TopContainerResponse;
import com.github.dockerjava.api.model.Container;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** What the Docker fault tests share: looking at containers from outside the product, and the summary line. */
final class DockerFaults {
    /** The bound for "no hang": a failure must surface well before this (and before any command's timeout). */
    static final Duration NO_HANG = Duration.ofSeconds(20);

    private DockerFaults() {
    }

    /** The ids of every container, running or not, that carries the sandbox's label. */
    static List<String> containersOf(DockerClient docker, String sandboxId) {
        return docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(DockerSandboxBackend.LABEL_APP, DockerSandboxBackend.APP, DockerSandboxBackend.LABEL_SANDBOX_ID, sandboxId))
                .exec().stream().map(Container::getId).toList();
    }

    static boolean running(DockerClient docker, String containerId) {
        return Boolean.TRUE.equals(docker.inspectContainerCmd(containerId).exec().getState().getRunning());
    }

    /** Waits until a process whose command line is {@code commandLine} runs in the container (as {@code docker top} lists it). */
    static void awaitProcess(DockerClient docker, String containerId, String commandLine) {
        await().atMost(NO_HANG).pollInterval(Duration.ofMillis(100)).until(() -> {
            TopContainerResponse top = docker.topContainerCmd(containerId).exec();
            return top.getProcesses() != null && Arrays.stream(top.getProcesses()).anyMatch(p -> String.join(" ", p).endsWith(commandLine));
        });
    }

    /**
     * Runs a call that must fail, and returns what it threw; fails when it returns, or when it takes longer than
     * {@link #NO_HANG} (a hang).
     */
    static Throwable failureOf(Callable<?> call) {
        CompletableFuture<?> f = CompletableFuture.supplyAsync(() -> {
            try {
                return call.call();
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
        return failureOf(f);
    }

    /** What a call in flight threw; fails when it returned, or did not end within {@link #NO_HANG}. */
    static Throwable failureOf(CompletableFuture<?> inFlight) {
        try {
            Object value = inFlight.get(NO_HANG.toMillis(), TimeUnit.MILLISECONDS);
            throw new AssertionError("expected a failure, got " + value);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError("no answer within " + NO_HANG.toSeconds() + " s: the call hangs", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    static String seconds(long fromNanos) {
        return String.format("%.1f s", (System.nanoTime() - fromNanos) / 1e9);
    }

    /** The summary line the reliability tables are built from. */
    static void report(String fault, String userSaw, String stateKept, String orphans) {
        StringBuilder line = new StringBuilder("FAULT");
        for (String part : List.of(fault, userSaw, stateKept, orphans)) {
            line.append(" | ").append(part.replace('|', '/').replace('\n', ' '));
        }
        System.out.println(line);
    }
}
