package io.sandboxops.core.env;

import com.google.api.gax.core.FixedCredentialsProvider;
import com.google.api.gax.grpc.InstantiatingGrpcChannelProvider;
import com.google.api.gax.longrunning.OperationTimedPollAlgorithm;
import com.google.api.gax.retrying.RetrySettings;
import com.google.api.gax.rpc.ClientSettings;
import com.google.api.gax.rpc.TransportChannelProvider;
import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.auth.http.HttpTransportFactory;
import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.CredentialAccessBoundary;
import com.google.auth.oauth2.DownscopedCredentials;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.auth.oauth2.OAuth2Credentials;
import com.google.cloud.logging.v2.LoggingClient;
import com.google.cloud.logging.v2.MetricsClient;
import com.google.cloud.logging.v2.MetricsSettings;
import com.google.cloud.monitoring.v3.AlertPolicyServiceClient;
import com.google.cloud.monitoring.v3.AlertPolicyServiceSettings;
import com.google.cloud.monitoring.dashboard.v1.DashboardsServiceClient;
import com.google.cloud.monitoring.dashboard.v1.DashboardsServiceSettings;
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
import com.google.cloud.run.v2.ServicesSettings;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageOptions;
import io.grpc.ManagedChannelBuilder;
import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.api.SandboxUnavailableException;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * The official Google clients for one {@link CloudTarget}, built once on first use and closed together.
 * Thread-safe.
 */
public final class GoogleClients implements AutoCloseable {
    private static final String CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform";
    /** Where {@link DownscopedCredentials} exchanges tokens: Google's Security Token Service. */
    private static final String GOOGLE_STS = "https://sts.googleapis.com/v1/token";
    private final CloudTarget target;
    private final List<AutoCloseable> open = new ArrayList<>();
    private JobsClient jobs;
    private ExecutionsClient executions;
    private ServicesClient services;
    private RevisionsClient revisions;
    private MetricServiceClient metrics;
    private LoggingClient logging;
    private MetricsClient logMetrics;
    private AlertPolicyServiceClient alertPolicies;
    private DashboardsServiceClient dashboards;
    private Storage storage;
    private GoogleCredentials credentials;

    public GoogleClients(CloudTarget target) {
        this.target = target;
    }

    public CloudTarget target() {
        return target;
    }

    public synchronized JobsClient jobs() {
        if (jobs == null) {
            jobs = track(create("Cloud Run Jobs", () -> {
                JobsSettings.Builder b = JobsSettings.newBuilder();
                configure(b);
                b.createJobOperationSettings().setPollingAlgorithm(polling());
                b.updateJobOperationSettings().setPollingAlgorithm(polling());
                b.deleteJobOperationSettings().setPollingAlgorithm(polling());
                b.runJobOperationSettings().setPollingAlgorithm(polling());
                return JobsClient.create(b.build());
            }));
        }
        return jobs;
    }

    public synchronized ExecutionsClient executions() {
        if (executions == null) {
            executions = track(create("Cloud Run Executions", () -> {
                ExecutionsSettings.Builder b = ExecutionsSettings.newBuilder();
                configure(b);
                b.cancelExecutionOperationSettings().setPollingAlgorithm(polling());
                b.deleteExecutionOperationSettings().setPollingAlgorithm(polling());
                return ExecutionsClient.create(b.build());
            }));
        }
        return executions;
    }

    public synchronized ServicesClient services() {
        if (services == null) {
            services = track(create("Cloud Run Services", () -> {
                ServicesSettings.Builder b = ServicesSettings.newBuilder();
                configure(b);
                b.createServiceOperationSettings().setPollingAlgorithm(polling());
                b.updateServiceOperationSettings().setPollingAlgorithm(polling());
                b.deleteServiceOperationSettings().setPollingAlgorithm(polling());
                return ServicesClient.create(b.build());
            }));
        }
        return services;
    }

    public synchronized RevisionsClient revisions() {
        if (revisions == null) {
            revisions = track(create("Cloud Run Revisions", () -> {
                RevisionsSettings.Builder b = RevisionsSettings.newBuilder();
                configure(b);
                b.deleteRevisionOperationSettings().setPollingAlgorithm(polling());
                return RevisionsClient.create(b.build());
            }));
        }
        return revisions;
    }

    public synchronized MetricServiceClient metrics() {
        if (metrics == null) {
            metrics = track(create("Cloud Monitoring", () -> {
                MetricServiceSettings.Builder b = MetricServiceSettings.newBuilder();
                configure(b);
                return MetricServiceClient.create(b.build());
            }));
        }
        return metrics;
    }

    public synchronized LoggingClient logging() {
        if (logging == null) {
            logging = track(create("Cloud Logging", () -> {
                LoggingSettings.Builder b = LoggingSettings.newBuilder();
                configure(b);
                return LoggingClient.create(b.build());
            }));
        }
        return logging;
    }

    /** Cloud Logging's log-based metric definitions ({@code deploy/log-metrics}). */
    public synchronized MetricsClient logMetrics() {
        if (logMetrics == null) {
            logMetrics = track(create("Cloud Logging metrics", () -> {
                MetricsSettings.Builder b = MetricsSettings.newBuilder();
                configure(b);
                return MetricsClient.create(b.build());
            }));
        }
        return logMetrics;
    }

    /** Cloud Monitoring's alert policies ({@code deploy/alert-policies}). */
    public synchronized AlertPolicyServiceClient alertPolicies() {
        if (alertPolicies == null) {
            alertPolicies = track(create("Cloud Monitoring alert policies", () -> {
                AlertPolicyServiceSettings.Builder b = AlertPolicyServiceSettings.newBuilder();
                configure(b);
                return AlertPolicyServiceClient.create(b.build());
            }));
        }
        return alertPolicies;
    }

    /** Cloud Monitoring's dashboards ({@code deploy/dashboard.json}). */
    public synchronized DashboardsServiceClient dashboards() {
        if (dashboards == null) {
            dashboards = track(create("Cloud Monitoring dashboards", () -> {
                DashboardsServiceSettings.Builder b = DashboardsServiceSettings.newBuilder();
                configure(b);
                return DashboardsServiceClient.create(b.build());
            }));
        }
        return dashboards;
    }

    public synchronized Storage storage() {
        if (storage == null) {
            StorageOptions.Builder b = StorageOptions.newBuilder().setProjectId(target.projectId());
            target.storageHost().ifPresent(b::setHost);
            b.setCredentials(target.local() ? localCredentials() : credentials());
            storage = b.build().getService();
            open.add(storage);
        }
        return storage;
    }

    /**
     * Credentials limited to {@code boundary} (a Credential Access Boundary): this target's credentials exchanged for a
     * downscoped token, refreshed by the library before it expires. For Google the exchange goes to Google's STS; for
     * a local stand-in to its {@code /v1/token} on the storage host, which speaks Google's wire format. A downscoped
     * token reaches only the Cloud Storage resources its boundary names.
     */
    public OAuth2Credentials downscoped(CredentialAccessBoundary boundary) {
        DownscopedCredentials.Builder b = DownscopedCredentials.newBuilder().setCredentialAccessBoundary(boundary);
        if (target.local()) {
            // The exchange reads the source token and never sends it over gRPC, so GoogleCredentials is fine here.
            b.setSourceCredential(GoogleCredentials.create(new AccessToken(target.localToken().orElseThrow(), null)));
            b.setHttpTransportFactory(localSts(target.storageHost().orElseThrow().replaceAll("/+$", "") + "/v1/token"));
        } else {
            b.setSourceCredential(credentials());
        }
        return b.build();
    }

    /**
     * A transport whose only destination is the stand-in's token endpoint: Google's STS address becomes {@code tokenUrl};
     * any other address is refused, so a downscoped credential built on it can leak its source token nowhere else.
     */
    private static HttpTransportFactory localSts(String tokenUrl) {
        NetHttpTransport transport = new NetHttpTransport.Builder().setConnectionFactory(url -> {
            if (!url.toString().equals(GOOGLE_STS)) {
                throw new IOException("the local cloud's token transport sends only the STS token exchange (" + GOOGLE_STS
                        + "), not a request to " + url.getProtocol() + "://" + url.getHost());
            }
            return (HttpURLConnection) URI.create(tokenUrl).toURL().openConnection();
        }).build();
        return () -> transport;
    }

    @Override
    public synchronized void close() {
        for (AutoCloseable c : open) {
            try {
                c.close();
            } catch (Exception e) {
                // closing is best effort; nothing is lost
            }
        }
        open.clear();
        jobs = null;
        executions = null;
        services = null;
        revisions = null;
        metrics = null;
        logging = null;
        logMetrics = null;
        alertPolicies = null;
        dashboards = null;
        storage = null;
        credentials = null;
    }

    /** Endpoint, channel and credentials, the same for every gRPC client. */
    private <B extends ClientSettings.Builder<?, ?>> void configure(B builder) {
        if (target.grpcEndpoint().isPresent()) {
            builder.setTransportChannelProvider(channel());
        }
        builder.setCredentialsProvider(FixedCredentialsProvider.create(target.local() ? localCredentials() : credentials()));
    }

    /**
     * Application Default Credentials, loaded once for every client: a key file that is missing, not JSON or holds a
     * damaged key is one clear error here, before any call, instead of a parser's message from deep in the first one.
     * The message names the file, never its content.
     */
    private synchronized GoogleCredentials credentials() {
        if (credentials == null) {
            String file = System.getenv("GOOGLE_APPLICATION_CREDENTIALS");
            String source = file == null || file.isBlank() ? "Application Default Credentials"
                    : "the key file in GOOGLE_APPLICATION_CREDENTIALS (" + file + ")";
            try {
                GoogleCredentials c = GoogleCredentials.getApplicationDefault();
                credentials = c.createScopedRequired() ? c.createScoped(List.of(CLOUD_PLATFORM)) : c;
            } catch (IOException | RuntimeException e) {
                throw new SandboxUnavailableException("cannot load Google credentials from " + source + " for project "
                        + target.projectId() + ": " + describe(e) + "; run `gcloud auth application-default login`, or set "
                        + "GOOGLE_APPLICATION_CREDENTIALS to a valid service-account key file", e);
            }
        }
        return credentials;
    }

    /**
     * The local stand-in's per-run token, as plain OAuth2 credentials: gRPC sends {@code GoogleCredentials} only over
     * TLS, and the emulator speaks plaintext on loopback.
     */
    private OAuth2Credentials localCredentials() {
        return OAuth2Credentials.create(new AccessToken(target.localToken().orElseThrow(), null));
    }

    /** The failure's own message, and its innermost cause's when that adds something. */
    private static String describe(Throwable e) {
        String root = SandboxException.rootMessage(e);
        String outer = String.valueOf(e.getMessage());
        return outer.contains(root) ? outer : outer + " (" + root + ")";
    }

    // gax declares the channel configurator on the raw ManagedChannelBuilder type.
    @SuppressWarnings("rawtypes")
    private TransportChannelProvider channel() {
        InstantiatingGrpcChannelProvider.Builder b = InstantiatingGrpcChannelProvider.newBuilder().setEndpoint(target.grpcEndpoint().get());
        if (target.local()) {
            b.setChannelConfigurator(ManagedChannelBuilder::usePlaintext);
        }
        return b.build();
    }

    private OperationTimedPollAlgorithm polling() {
        return OperationTimedPollAlgorithm.create(RetrySettings.newBuilder()
                .setInitialRetryDelayDuration(target.operationPollInitial())
                .setRetryDelayMultiplier(1.5)
                .setMaxRetryDelayDuration(target.operationPollMax())
                .setInitialRpcTimeoutDuration(java.time.Duration.ofSeconds(30))
                .setRpcTimeoutMultiplier(1.0)
                .setMaxRpcTimeoutDuration(java.time.Duration.ofSeconds(30))
                .setTotalTimeoutDuration(java.time.Duration.ofMinutes(30))
                .build());
    }

    private <T extends AutoCloseable> T track(T client) {
        open.add(client);
        return client;
    }

    private interface ClientFactory<T> {
        T create() throws IOException;
    }

    private <T> T create(String what, ClientFactory<T> factory) {
        try {
            return factory.create();
        } catch (IOException e) {
            String hint = target.local() ? "" : "; run `gcloud auth application-default login` or set GOOGLE_APPLICATION_CREDENTIALS";
            throw new SandboxUnavailableException("cannot create the " + what + " client for project " + target.projectId() + ": "
                    + e.getMessage() + hint, e);
        }
    }

}
