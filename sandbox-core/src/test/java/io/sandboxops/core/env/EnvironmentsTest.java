package io.sandboxops.core.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sandboxops.core.api.SandboxInvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvironmentsTest {

    @TempDir
    Path dir;

    @Test
    void withoutAFileThereIsOnlyLocal() {
        Environments envs = Environments.load(dir.resolve("missing.json"));
        assertThat(envs.all()).extracting(Environment::name).containsExactly("local");
        assertThat(envs.defaultEnvironment()).isEqualTo(Environment.local());
        assertThat(envs.defaultEnvironment().service()).isEqualTo("manus-backend");
    }

    @Test
    void theShippedExampleLoads() throws IOException {
        Path file = dir.resolve("environments.json");
        try (InputStream in = getClass().getResourceAsStream("/deploy/environments.example.json")) {
            Files.copy(in, file);
        }
        Environments envs = Environments.load(file);
        assertThat(envs.all()).extracting(Environment::name).containsExactly("local", "staging", "prod");
        Environment prod = envs.get("prod");
        assertThat(prod.production()).isTrue();
        assertThat(prod.googleTarget().locationName()).isEqualTo("projects/acme-agents-prod/locations/us-central1");
        assertThat(envs.defaultEnvironment().name()).isEqualTo("staging");
        assertThat(envs.get("staging").pool()).isEqualTo(new PoolSizes(java.util.OptionalInt.of(2), java.util.OptionalInt.of(0)));
        assertThat(prod.pool()).isEqualTo(PoolSizes.unset());
    }

    @Test
    void productionWritesNeedTheServiceNameAndReadOnlyRefusesThem() {
        Environment prod = new Environment("prod", Environment.Kind.GCP, "p", "us-central1", "manus-backend", "", "", "", true, false);
        assertThatThrownBy(() -> prod.requireWritable(Optional.empty())).isInstanceOf(SandboxInvalidInputException.class)
                .hasMessageContaining("type the service name \"manus-backend\"").hasMessageContaining("--confirm manus-backend");
        assertThatThrownBy(() -> prod.requireWritable(Optional.of("manus"))).hasMessageContaining("(got \"manus\")");
        prod.requireWritable(Optional.of("manus-backend"));
        Environment viewer = new Environment("audit", Environment.Kind.GCP, "p", "r", "s", "", "", "", false, true);
        assertThatThrownBy(() -> viewer.requireWritable(Optional.of("s"))).hasMessageContaining("read-only");
        Environment.local().requireWritable(Optional.empty());
        assertThat(prod.bucket()).isEqualTo("p-sandbox-sessions");
    }

    @Test
    void mistakesNameTheFileTheEnvironmentAndTheField() throws IOException {
        Path file = dir.resolve("environments.json");
        Files.writeString(file, "{\"environments\":[{\"name\":\"staging\",\"project\":\"p\",\"service\":\"s\"}]}");
        assertThatThrownBy(() -> Environments.load(file)).hasMessageContaining(file.toString()).hasMessageContaining("\"region\" is required");
        Files.writeString(file, "{\"environments\":[{\"name\":\"staging\",\"project\":\"p\",\"region\":\"r\",\"service\":\"s\",\"prod\":true}]}");
        assertThatThrownBy(() -> Environments.load(file)).hasMessageContaining("environments[0]").hasMessageContaining("unknown field \"prod\"");
        Files.writeString(file, "{\"environments\":[{\"name\":\"x\",\"project\":\"p\",\"region\":\"r\",\"service\":\"s\",\"production\":\"yes\"}]}");
        assertThatThrownBy(() -> Environments.load(file)).hasMessageContaining("\"production\" must be true or false");
        Files.writeString(file, "{\"default\":\"nope\",\"environments\":[]}");
        assertThatThrownBy(() -> Environments.load(file)).hasMessageContaining("\"default\" names \"nope\"");
        Files.writeString(file, "{\"environments\":[{\"name\":\"local\",\"project\":\"p\",\"region\":\"r\",\"service\":\"s\"}]}");
        assertThatThrownBy(() -> Environments.load(file)).hasMessageContaining("built in");
        Files.writeString(file, "{not json");
        assertThatThrownBy(() -> Environments.load(file)).hasMessageContaining("is not valid JSON");
        assertThatThrownBy(() -> Environments.localOnly().get("prod")).hasMessageContaining("known: local");
    }
}
