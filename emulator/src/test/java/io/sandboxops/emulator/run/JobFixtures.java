package io.sandboxops.emulator.run;

import com.google.cloud.run.v2.Container;
import com.google.cloud.run.v2.ExecutionTemplate;
import com.google.cloud.run.v2.Job;
import com.google.cloud.run.v2.TaskTemplate;

/** Jobs the tests of several packages create. */
public final class JobFixtures {

    private JobFixtures() {
    }

    /**
     * A job whose single container runs {@code sh -c script}, retried at most {@code maxRetries} times;
     * the process runner runs that command locally, whatever the image.
     */
    public static Job shellJob(String script, int maxRetries) {
        return Job.newBuilder()
                .setTemplate(ExecutionTemplate.newBuilder()
                        .setTemplate(TaskTemplate.newBuilder()
                                .setMaxRetries(maxRetries)
                                .addContainers(Container.newBuilder()
                                        .setImage("sandboxops/sandbox:latest")
                                        .addCommand("sh")
                                        .addArgs("-c")
                                        .addArgs(script))))
                .build();
    }
}
