package io.sandboxops.emulator;

import com.google.api.gax.core.CredentialsProvider;
import com.google.api.gax.core.FixedCredentialsProvider;
import com.google.api.gax.grpc.InstantiatingGrpcChannelProvider;
import com.google.api.gax.longrunning.OperationTimedPollAlgorithm;
import com.google.api.gax.retrying.RetrySettings;
import com.google.api.gax.rpc.TransportChannelProvider;
import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.OAuth2Credentials;
import com.google.cloud.logging.v2.LoggingClient;
import com.google.cloud.logging.v2.LoggingSettings;
import com.google.cloud.monitoring.v3.MetricServiceClient;
import com.google.cloud.monitoring.v3.MetricServiceSettings;
import com.google.cloud.run.v2.ExecutionsClient;
import com.google.cloud.run.v2.ExecutionsSettings;
import com.google.cloud.run.v2.JobsClient;
import com.google.cloud.run.v2.JobsSettings;
import com.google.cloud.run.v2.RevisionsClient;
import com.google.cloud.run.v2.RevisionsSettings;
import com.google.cloud.run.v2.ServicesClient;
import com.google.cloud.run.v2.TasksClient;
import com.google.cloud.run.v2.TasksSettings;
import com.google.cloud.run.v2.ServicesSettings;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageOptions;
import io.grpc.ManagedChannelBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;

/**
 * The official Google clients, configured as any application would for an emulator: the endpoint,
 * a plaintext channel and the emulator's per-run bearer token. The only other change is a quicker operation polling
 * schedule than the production default (first poll after seconds), so tests do not idle.
 */
public final class CloudClients {

    private CloudClients() {
    }

    // gax declares the channel configurator on the raw ManagedChannelBuilder type.
    @SuppressWarnings("rawtypes")
    static TransportChannelProvider channel(LocalCloudEndpoints endpoints) {
        return InstantiatingGrpcChannelProvider.newBuilder()
                .setEndpoint(endpoints.grpcTarget())
                .setChannelConfigurator(ManagedChannelBuilder::usePlaintext)
                .build();
    }

    /**
     * The per-run token as plain OAuth2 credentials: gRPC refuses {@code GoogleCredentials} on a plaintext channel,
     * as it should for a real key.
     */
    public static OAuth2Credentials token(LocalCloudEndpoints endpoints) {
        return OAuth2Credentials.create(new AccessToken(endpoints.accessToken(), null));
    }

    static CredentialsProvider credentials(LocalCloudEndpoints endpoints) {
        return FixedCredentialsProvider.create(token(endpoints));
    }

    static OperationTimedPollAlgorithm quickPolling() {
        return OperationTimedPollAlgorithm.create(RetrySettings.newBuilder()
                .setInitialRetryDelayDuration(Duration.ofMillis(50))
                .setRetryDelayMultiplier(1.5)
                .setMaxRetryDelayDuration(Duration.ofMillis(500))
                .setInitialRpcTimeoutDuration(Duration.ofSeconds(10))
                .setRpcTimeoutMultiplier(1.0)
                .setMaxRpcTimeoutDuration(Duration.ofSeconds(10))
                .setTotalTimeoutDuration(Duration.ofMinutes(3))
                .build());
    }

    public static JobsClient jobs(LocalCloudEndpoints endpoints) {
        try {
            JobsSettings.Builder b = JobsSettings.newBuilder()
                    .setCredentialsProvider(credentials(endpoints))
                    .setTransportChannelProvider(channel(endpoints));
            b.createJobOperationSettings().setPollingAlgorithm(quickPolling());
            b.updateJobOperationSettings().setPollingAlgorithm(quickPolling());
            b.deleteJobOperationSettings().setPollingAlgorithm(quickPolling());
            b.runJobOperationSettings().setPollingAlgorithm(quickPolling());
            return JobsClient.create(b.build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ExecutionsClient executions(LocalCloudEndpoints endpoints) {
        try {
            ExecutionsSettings.Builder b = ExecutionsSettings.newBuilder()
                    .setCredentialsProvider(credentials(endpoints))
                    .setTransportChannelProvider(channel(endpoints));
            b.cancelExecutionOperationSettings().setPollingAlgorithm(quickPolling());
            b.deleteExecutionOperationSettings().setPollingAlgorithm(quickPolling());
            return ExecutionsClient.create(b.build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static TasksClient tasks(LocalCloudEndpoints endpoints) {
        try {
            return TasksClient.create(TasksSettings.newBuilder()
                    .setCredentialsProvider(credentials(endpoints))
                    .setTransportChannelProvider(channel(endpoints))
                    .build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ServicesClient services(LocalCloudEndpoints endpoints) {
        try {
            ServicesSettings.Builder b = ServicesSettings.newBuilder()
                    .setCredentialsProvider(credentials(endpoints))
                    .setTransportChannelProvider(channel(endpoints));
            b.createServiceOperationSettings().setPollingAlgorithm(quickPolling());
            b.updateServiceOperationSettings().setPollingAlgorithm(quickPolling());
            b.deleteServiceOperationSettings().setPollingAlgorithm(quickPolling());
            return ServicesClient.create(b.build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static RevisionsClient revisions(LocalCloudEndpoints endpoints) {
        try {
            RevisionsSettings.Builder b = RevisionsSettings.newBuilder()
                    .setCredentialsProvider(credentials(endpoints))
                    .setTransportChannelProvider(channel(endpoints));
            b.deleteRevisionOperationSettings().setPollingAlgorithm(quickPolling());
            return RevisionsClient.create(b.build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static MetricServiceClient metrics(LocalCloudEndpoints endpoints) {
        try {
            return MetricServiceClient.create(MetricServiceSettings.newBuilder()
                    .setCredentialsProvider(credentials(endpoints))
                    .setTransportChannelProvider(channel(endpoints))
                    .build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static LoggingClient logging(LocalCloudEndpoints endpoints) {
        try {
            return LoggingClient.create(LoggingSettings.newBuilder()
                    .setCredentialsProvider(credentials(endpoints))
                    .setTransportChannelProvider(channel(endpoints))
                    .build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Storage storage(LocalCloudEndpoints endpoints) {
        return StorageOptions.newBuilder()
                .setHost(endpoints.storageHost())
                .setProjectId(endpoints.projectId())
                .setCredentials(token(endpoints))
                .build()
                .getService();
    }
}
