package io.sandboxops.emulator.run;

/**
 * The environment variables a task sees besides its container's own: the ones Cloud Run sets, and the
 * ones through which the emulator tells a task where its local APIs are. Never a credential: as on Cloud Run, where
 * the job's service account holds no bucket role, a task reaches Cloud Storage only with the downscoped token its
 * launcher put in the RunJob overrides.
 */
public final class TaskEnvironment {

    public static final String CLOUD_RUN_JOB = "CLOUD_RUN_JOB";
    public static final String CLOUD_RUN_EXECUTION = "CLOUD_RUN_EXECUTION";
    public static final String CLOUD_RUN_TASK_INDEX = "CLOUD_RUN_TASK_INDEX";
    public static final String CLOUD_RUN_TASK_ATTEMPT = "CLOUD_RUN_TASK_ATTEMPT";
    public static final String CLOUD_RUN_TASK_COUNT = "CLOUD_RUN_TASK_COUNT";

    /** {@code http://127.0.0.1:PORT}: the Cloud Storage JSON API; the name other Google SDKs honour. */
    public static final String STORAGE_EMULATOR_HOST = "STORAGE_EMULATOR_HOST";
    /** {@code 127.0.0.1:PORT}: the emulator's gRPC APIs (Cloud Run, Logging, Monitoring), plaintext. */
    public static final String SANDBOXOPS_EMULATOR_GRPC = "SANDBOXOPS_EMULATOR_GRPC";
    /** The project the emulator runs as, as on Cloud Run where it comes from the metadata server. */
    public static final String GOOGLE_CLOUD_PROJECT = "GOOGLE_CLOUD_PROJECT";

    private TaskEnvironment() {
    }
}
