package io.sandboxops.core.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import io.sandboxops.core.api.ExecResult;
import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxBackend;
import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.api.SandboxInvalidInputException;
import io.sandboxops.core.api.SandboxSpec;
import io.sandboxops.core.observe.ObservedSandboxBackend;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * Why a session is a shell (DESIGN §3), measured: a warm {@code execStateful("echo hello")} against one raw
 * Docker exec (create + start + inspect through the engine API) on the same container, in the same run.
 */
public final class DockerExecBenchmark {
    private static final Duration RAW_EXEC_TIMEOUT = Duration.ofSeconds(30);

    /** Latency statistics in milliseconds. */
    public record Stats(int samples, double medianMs, double p90Ms, double minMs, double maxMs) {
        static Stats of(long[] nanos) {
            long[] s = nanos.clone();
            Arrays.sort(s);
            return new Stats(s.length, ms(percentile(s, 50)), ms(percentile(s, 90)), ms(s[0]), ms(s[s.length - 1]));
        }

        private static long percentile(long[] sorted, int p) {
            int rank = (int) Math.ceil(p / 100.0 * sorted.length);
            return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
        }

        private static double ms(long nanos) {
            return nanos / 1e6;
        }
    }

    /** What one run measured; {@code ratio} is the raw exec median over the stateful exec median. */
    public record Report(Stats statefulExec, Stats rawDockerExec, double ratio, String image) {
    }

    private DockerExecBenchmark() {
    }

    /**
     * Creates a sandbox, measures, and removes it. The stateful execs go through {@code backend} as a caller's would
     * (observed, when the backend is: the client events are part of what is measured).
     *
     * @param backend  a Docker backend, observed or not
     * @param progress told each finished sample (stateful ones first), for a progress display
     */
    public static Report run(SandboxBackend backend, int warmup, int iterations, Optional<String> image, IntConsumer progress) {
        if (!(ObservedSandboxBackend.unwrap(backend) instanceof DockerSandboxBackend docker)) {
            throw new SandboxInvalidInputException("the exec benchmark compares with raw Docker execs and needs the docker backend, not "
                    + backend.name());
        }
        SandboxSpec.Builder spec = SandboxSpec.newBuilder().label("purpose", "benchmark");
        image.ifPresent(spec::image);
        Sandbox sandbox = backend.create(spec.build());
        String containerId = ((DockerSandbox) ObservedSandboxBackend.unwrap(sandbox)).containerId();
        try {
            Duration timeout = Duration.ofSeconds(30);
            for (int i = 0; i < warmup; i++) {
                sandbox.execStateful("echo hello", "bench", timeout);
            }
            long[] stateful = new long[iterations];
            for (int i = 0; i < iterations; i++) {
                long t0 = System.nanoTime();
                ExecResult r = sandbox.execStateful("echo hello", "bench", timeout);
                stateful[i] = System.nanoTime() - t0;
                if (!r.stdout().equals("hello\n")) {
                    throw new SandboxException("benchmark command printed \"" + r.stdout() + "\" instead of hello");
                }
                progress.accept(i + 1);
            }
            for (int i = 0; i < Math.min(warmup, 5); i++) {
                rawExec(docker.docker(), containerId, null, "echo", "hello");
            }
            long[] raw = new long[iterations];
            for (int i = 0; i < iterations; i++) {
                long t0 = System.nanoTime();
                rawExec(docker.docker(), containerId, null, "echo", "hello");
                raw[i] = System.nanoTime() - t0;
                progress.accept(iterations + i + 1);
            }
            Stats s = Stats.of(stateful);
            Stats r = Stats.of(raw);
            return new Report(s, r, r.medianMs() / s.medianMs(), image.orElse(docker.defaultImage()));
        } finally {
            sandbox.destroy();
        }
    }

    /**
     * One exec as a client without a session shell must do it: create (as {@code user}; null for the image's), start,
     * wait for it attached, inspect the exit code, which must be 0. The benchmarks' reference for what the engine itself
     * costs to run a process in a container.
     */
    public static void rawExec(DockerClient docker, String containerId, String user, String... command) {
        String id = docker.execCreateCmd(containerId).withUser(user).withCmd(command).withAttachStdout(true).withAttachStderr(true)
                .exec().getId();
        try (ResultCallback.Adapter<Frame> cb = docker.execStartCmd(id).exec(new ResultCallback.Adapter<>())) {
            if (!cb.awaitCompletion(RAW_EXEC_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                throw new SandboxException("a raw docker exec did not finish within " + RAW_EXEC_TIMEOUT.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxException("interrupted", e);
        } catch (java.io.IOException e) {
            throw new SandboxException("raw docker exec failed: " + e.getMessage(), e);
        }
        Long code = docker.inspectExecCmd(id).exec().getExitCodeLong();
        if (code == null || code != 0) {
            throw new SandboxException("a raw docker exec of " + String.join(" ", command) + " ended with " + code);
        }
    }
}
