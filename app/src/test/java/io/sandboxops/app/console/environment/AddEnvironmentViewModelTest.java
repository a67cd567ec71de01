package io.sandboxops.app.console.environment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sandboxops.app.console.task.CurrentThreadTaskExecutor;
import io.sandboxops.app.console.testing.ServiceAccountKeys;
import io.sandboxops.core.env.Environment;
import io.sandboxops.core.env.Environments;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Add environment…" against real files: the credentials are checked with Google's own parser before a byte is written,
 * the environments file keeps its other entries, stays owner-only, is replaced in one rename, and the one parser
 * ({@link Environments#load}) reads it back.
 */
class AddEnvironmentViewModelTest {
    @TempDir
    Path dir;
    private Path file;
    private Path home;
    private AddEnvironmentViewModel vm;
    private final List<ConsoleEnvironment> added = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        home = Files.createDirectories(dir.resolve("home"));
        file = home.resolve(".sandbox-ops/environments.json");
        vm = new AddEnvironmentViewModel(new CurrentThreadTaskExecutor(), file, Map.of(), home);
        vm.nameProperty().set("staging-eu");
        vm.projectProperty().set("acme-staging");
        vm.regionProperty().set("europe-west1");
        vm.serviceProperty().set("manus-backend-staging");
    }

    @Test
    void aValidServiceAccountKeyAddsTheEntryKeepingTheOthersOwnerOnlyAndLeavesNoTemporaryFile() throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, """
                { "default": "prod", "environments": [
                  { "name": "prod", "project": "acme-prod", "region": "us-central1", "service": "manus-backend", "production": true } ] }
                """);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        vm.credentialsFileProperty().set(ServiceAccountKeys.write(dir.resolve("key.json")).toString());
        vm.productionProperty().set(false);
        vm.readOnlyProperty().set(true);

        vm.checkAndSave(added::add);

        assertThat(vm.failedProperty().get()).as(vm.messageProperty().get()).isFalse();
        assertThat(vm.messageProperty().get()).contains("sandbox-ops@acme-staging.iam.gserviceaccount.com").contains("on first use");
        Environments read = Environments.load(file);
        assertThat(read.all()).extracting(Environment::name).containsExactly("local", "prod", "staging-eu");
        assertThat(read.defaultEnvironment().name()).isEqualTo("prod");
        Environment env = read.get("staging-eu");
        assertThat(env.projectId()).isEqualTo("acme-staging");
        assertThat(env.readOnly()).isTrue();
        assertThat(read.get("prod").production()).isTrue();
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        try (Stream<Path> left = Files.list(file.getParent())) {
            assertThat(left).containsExactly(file);
        }
        assertThat(added).extracting(ConsoleEnvironment::name).containsExactly("staging-eu");
    }

    @Test
    void aFirstEnvironmentCreatesAnOwnerOnlyDirectoryAndFile() throws Exception {
        vm.credentialsFileProperty().set(ServiceAccountKeys.write(dir.resolve("key.json")).toString());
        vm.checkAndSave(added::add);
        assertThat(Environments.load(file).all()).extracting(Environment::name).containsExactly("local", "staging-eu");
        assertThat(Files.getPosixFilePermissions(file.getParent())).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void aMalformedKeyIsRefusedWithoutQuotingItAndNothingIsWritten() throws Exception {
        ObjectNode key = ServiceAccountKeys.json();
        key.put("private_key", "-----BEGIN PRIVATE KEY-----\nTOPSECRETMATERIALTOPSECRET\n-----END PRIVATE KEY-----\n");
        Path bad = Files.writeString(dir.resolve("bad.json"), key.toString());
        vm.credentialsFileProperty().set(bad.toString());

        vm.checkAndSave(added::add);

        assertThat(vm.failedProperty().get()).isTrue();
        assertThat(vm.messageProperty().get()).contains("not a usable service-account key").contains("Nothing was written")
                .doesNotContain("TOPSECRET");
        assertThat(file).doesNotExist();
        assertThat(added).isEmpty();
    }

    @Test
    void aFileThatIsNotAKeyIsRefused() throws Exception {
        Path other = Files.writeString(dir.resolve("other.json"), "{\"type\": \"external_account\"}");
        vm.credentialsFileProperty().set(other.toString());
        vm.checkAndSave(added::add);
        assertThat(vm.messageProperty().get()).contains("not a service-account key").contains("external_account");
        assertThat(file).doesNotExist();
    }

    @Test
    void localAnExistingNameAndABadProjectAreRefusedBeforeAnythingIsRead() throws Exception {
        vm.credentialsFileProperty().set(ServiceAccountKeys.write(dir.resolve("key.json")).toString());
        vm.nameProperty().set("local");
        vm.checkAndSave(added::add);
        assertThat(vm.messageProperty().get()).contains("built in");
        vm.nameProperty().set("staging-eu");
        vm.projectProperty().set("Acme Staging");
        vm.checkAndSave(added::add);
        assertThat(vm.messageProperty().get()).contains("project");
        vm.projectProperty().set("acme-staging");
        vm.checkAndSave(added::add);
        vm.checkAndSave(added::add);
        assertThat(vm.messageProperty().get()).contains("already in");
        assertThat(Environments.load(file).all()).hasSize(2);
    }

    @Test
    void anEnvironmentsFileTheParserRefusesIsLeftAsItWas() throws Exception {
        Files.createDirectories(file.getParent());
        String broken = "{ \"environments\": [ { \"name\": \"x\", \"project\": \"p\", \"region\": \"r\", \"service\": \"s\", \"colour\": \"red\" } ] }";
        Files.writeString(file, broken);
        vm.credentialsFileProperty().set(ServiceAccountKeys.write(dir.resolve("key.json")).toString());
        vm.checkAndSave(added::add);
        assertThat(vm.messageProperty().get()).contains("unknown field \"colour\"");
        assertThat(Files.readString(file)).isEqualTo(broken);
    }

    @Test
    void theApplicationDefaultCredentialsAreOfferedFirst() throws Exception {
        Path adc = ServiceAccountKeys.write(dir.resolve("adc.json"));
        AddEnvironmentViewModel withAdc = new AddEnvironmentViewModel(new CurrentThreadTaskExecutor(), file,
                Map.of("GOOGLE_APPLICATION_CREDENTIALS", adc.toString()), home);
        assertThat(withAdc.credentialsFileProperty().get()).isEqualTo(adc.toString());
    }
}
