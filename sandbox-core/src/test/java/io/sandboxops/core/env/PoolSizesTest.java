package io.sandboxops.core.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sandboxops.core.api.SandboxInvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The "pool" of an environments.json entry, and which size a backend is opened with: variable, environment, default. */
class PoolSizesTest {

    @TempDir
    Path dir;

    private Environments load(String json) throws IOException {
        Path file = dir.resolve("environments.json");
        Files.writeString(file, json);
        return Environments.load(file);
    }

    private static final String STAGING = "\"name\": \"staging\", \"project\": \"p\", \"region\": \"us-central1\", \"service\": \"s\"";

    @Test
    void anEntryAndTheBuiltInLocalCarryTheirPoolSizes() throws IOException {
        Environments envs = load("{\"environments\": [{" + STAGING + ", \"pool\": {\"docker\": 2, \"cloudrun\": 1}},"
                + " {\"name\": \"local\", \"pool\": {\"docker\": 3}}]}");
        assertThat(envs.get("staging").pool()).isEqualTo(new PoolSizes(OptionalInt.of(2), OptionalInt.of(1)));
        Environment local = envs.get("local");
        assertThat(local.pool()).isEqualTo(new PoolSizes(OptionalInt.of(3), OptionalInt.empty()));
        // Everything else of local stays the built-in one.
        assertThat(local.withPool(PoolSizes.unset())).isEqualTo(Environment.local());
        assertThat(envs.all()).extracting(Environment::name).containsExactly("local", "staging");
    }

    @Test
    void withoutAPoolNothingIsSetAndTheDefaultIsZeroForBoth() throws IOException {
        Environment staging = load("{\"environments\": [{" + STAGING + "}]}").get("staging");
        assertThat(staging.pool()).isEqualTo(PoolSizes.unset());
        PoolSize docker = PoolSizes.resolve("docker", staging, Map.of());
        PoolSize cloudrun = PoolSizes.resolve("cloudrun", staging, Map.of());
        assertThat(docker.size()).isZero();
        assertThat(cloudrun.size()).isZero();
        assertThat(cloudrun.origin()).isEqualTo(PoolSize.Origin.DEFAULT);
        assertThat(cloudrun.source()).contains("SANDBOX_POOL_CLOUDRUN unset").contains("staging");
    }

    @Test
    void theVariableWinsOverTheEnvironmentWhichWinsOverTheDefault() {
        Environment env = Environment.local().withPool(new PoolSizes(OptionalInt.of(2), OptionalInt.empty()));
        assertThat(PoolSizes.resolve("docker", env, Map.of("SANDBOX_POOL_DOCKER", "5")))
                .isEqualTo(new PoolSize("docker", 5, PoolSize.Origin.VARIABLE, "SANDBOX_POOL_DOCKER=5"));
        PoolSize fromEnv = PoolSizes.resolve("docker", env, Map.of("SANDBOX_POOL_CLOUDRUN", "1"));
        assertThat(fromEnv.size()).isEqualTo(2);
        assertThat(fromEnv.origin()).isEqualTo(PoolSize.Origin.ENVIRONMENT);
        assertThat(fromEnv.source()).startsWith("environment local");
        assertThat(PoolSizes.resolve("cloudrun", env, Map.of("SANDBOX_POOL_CLOUDRUN", "1")).origin()).isEqualTo(PoolSize.Origin.VARIABLE);
        // Set to zero is set: the variable turns a configured pool off.
        assertThat(PoolSizes.resolve("docker", env, Map.of("SANDBOX_POOL_DOCKER", "0")).size()).isZero();
    }

    @Test
    void aBadVariableSaysWhichAndWhatIsAllowed() {
        for (String bad : new String[]{"-1", "51", "two", "1.5", "+3", "99999999999"}) {
            assertThatThrownBy(() -> PoolSizes.resolve("cloudrun", Environment.local(), Map.of("SANDBOX_POOL_CLOUDRUN", bad)))
                    .as(bad).isInstanceOf(SandboxInvalidInputException.class)
                    .hasMessageStartingWith("SANDBOX_POOL_CLOUDRUN must be a whole number from 0 to 50, not \"" + bad + "\"");
        }
        assertThat(PoolSizes.resolve("cloudrun", Environment.local(), Map.of("SANDBOX_POOL_CLOUDRUN", "50")).size()).isEqualTo(50);
    }

    @Test
    void aBadPoolInTheFileNamesTheFileTheEntryAndTheField() {
        String[][] cases = {
                {"{\"docker\": 51}", "environments[0]: pool.docker must be a whole number from 0 to 50, not 51"},
                {"{\"docker\": -1}", "environments[0]: pool.docker must be a whole number from 0 to 50, not -1"},
                {"{\"cloudrun\": 1.5}", "environments[0]: pool.cloudrun must be a whole number from 0 to 50, not 1.5"},
                {"{\"cloudrun\": \"1\"}", "environments[0]: pool.cloudrun must be a whole number from 0 to 50, not \"1\""},
                {"{\"kubernetes\": 1}", "environments[0]: \"pool\" has an unknown backend \"kubernetes\""},
                {"3", "environments[0]: \"pool\" must be an object such as {\"docker\": 2, \"cloudrun\": 0}, not 3"},
        };
        for (String[] c : cases) {
            assertThatThrownBy(() -> load("{\"environments\": [{" + STAGING + ", \"pool\": " + c[0] + "}]}"))
                    .as(c[0]).isInstanceOf(SandboxInvalidInputException.class)
                    .hasMessageContaining(dir.resolve("environments.json") + ": " + c[1]);
        }
    }

    @Test
    void theLocalEntryMaySetOnlyItsPoolAndOnlyOnce() {
        assertThatThrownBy(() -> load("{\"environments\": [{\"name\": \"local\", \"project\": \"x\", \"pool\": {\"docker\": 1}}]}"))
                .hasMessageContaining("environments[0]: \"local\" is built in (the emulator): only its \"pool\" may be set, not \"project\"");
        assertThatThrownBy(() -> load("{\"environments\": [{\"name\": \"local\"}, {\"name\": \"local\", \"pool\": {\"docker\": 1}}]}"))
                .hasMessageContaining("environments[1]: a second entry for \"local\"");
        assertThatThrownBy(() -> load("{\"environments\": [{\"name\": \"local\", \"pool\": {\"cloudrun\": 60}}]}"))
                .hasMessageContaining("environments[0]: pool.cloudrun must be a whole number from 0 to 50, not 60");
    }
}
