package io.sandboxops.core.preflight;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.env.Environment;
import io.sandboxops.core.env.GoogleClients;
import java.io.IOException;
import java.util.Optional;

/**
 * Where the last preflight of an environment is kept: in the environment's own state bucket
 * ({@code preflight/{environment}/last.json}; the emulator's bucket for {@code local}), so every operator's
 * {@code rollout set} sees the same record, whoever ran the check. Outside {@code sessions/}, so no sandbox token reaches it.
 */
public final class PreflightRecords {
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private final Environment env;
    private final GoogleClients clients;

    public PreflightRecords(Environment env, GoogleClients clients) {
        this.env = env;
        this.clients = clients;
    }

    public String objectName() {
        return "preflight/" + env.name() + "/last.json";
    }

    /** Records {@code report} as the environment's last preflight. */
    public void save(PreflightReport report) {
        try {
            clients.storage().create(BlobInfo.newBuilder(BlobId.of(env.bucket(), objectName())).setContentType("application/json").build(),
                    JSON.writeValueAsBytes(report));
        } catch (IOException | RuntimeException e) {
            throw new SandboxException("the preflight result could not be recorded in gs://" + env.bucket() + "/" + objectName()
                    + ": " + SandboxException.rootMessage(e), e);
        }
    }

    /** The last recorded preflight, if any. */
    public Optional<PreflightReport> last() {
        try {
            Blob blob = clients.storage().get(BlobId.of(env.bucket(), objectName()));
            return blob == null ? Optional.empty() : Optional.of(JSON.readValue(blob.getContent(), PreflightReport.class));
        } catch (IOException | RuntimeException e) {
            throw new SandboxException("the last preflight of " + env.name() + " could not be read from gs://" + env.bucket() + "/"
                    + objectName() + ": " + SandboxException.rootMessage(e), e);
        }
    }
}
