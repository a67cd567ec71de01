package io.sandboxops.app.console.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.util.Base64;

/** Service-account keys as the Cloud console downloads them, each with a freshly made RSA key. */
public final class ServiceAccountKeys {
    public static final String CLIENT_EMAIL = "sandbox-ops@acme-staging.iam.gserviceaccount.com";

    private ServiceAccountKeys() {
    }

    public static Path write(Path path) throws java.io.IOException, GeneralSecurityException {
        return Files.writeString(path, json().toString());
    }

    public static ObjectNode json() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(generator.generateKeyPair().getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        ObjectNode key = new ObjectMapper().createObjectNode();
        key.put("type", "service_account");
        key.put("project_id", "acme-staging");
        key.put("private_key_id", "0123456789abcdef");
        key.put("private_key", pem);
        key.put("client_email", CLIENT_EMAIL);
        key.put("client_id", "123456789012345678901");
        key.put("token_uri", "https://oauth2.googleapis.com/token");
        return key;
    }
}
