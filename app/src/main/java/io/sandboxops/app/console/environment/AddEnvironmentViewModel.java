package io.sandboxops.app.console.environment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.auth.oauth2.ServiceAccountCredentials;
import io.sandboxops.app.console.dialog.ErrorMessages;
import io.sandboxops.app.console.task.BackgroundTask;
import io.sandboxops.app.console.task.TaskExecutor;
import io.sandboxops.core.api.SandboxInvalidInputException;
import io.sandboxops.core.env.Environment;
import io.sandboxops.core.env.Environments;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/**
 * "Add environment…": the fields of one entry of {@code ~/.sandbox-ops/environments.json} (what {@link Environments}
 * reads: only GCP environments live there, {@code local} is built in), the credentials checked before anything is
 * written, then the file written with its other entries kept, owner-only, through a temporary file in the same
 * directory that {@link Environments#load} must accept before it atomically replaces the old one.
 *
 * <p>Google cannot be reached from here to try the credentials: the key file is checked to be a service-account key
 * (or the {@code authorized_user} file {@code gcloud auth application-default login} writes) that Google's own
 * client library accepts; the live check happens on first use.
 */
public final class AddEnvironmentViewModel {
    /** Larger than any key file; a bigger file is not one, and is not read into memory. */
    static final long MAX_KEY_BYTES = 64 * 1024;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    // https://cloud.google.com/resource-manager/docs/creating-managing-projects: 6 to 30 lowercase letters, digits, hyphens.
    private static final Pattern PROJECT = Pattern.compile("[a-z][a-z0-9-]{4,28}[a-z0-9]");
    private static final Pattern REGION = Pattern.compile("[a-z]+(-[a-z]+)+[0-9]+");

    private final TaskExecutor executor;
    private final Path file;
    private final Map<String, String> processEnvironment;
    private final Path home;

    private final StringProperty name = new SimpleStringProperty(this, "name", "");
    private final StringProperty project = new SimpleStringProperty(this, "project", "");
    private final StringProperty region = new SimpleStringProperty(this, "region", "europe-west1");
    private final StringProperty service = new SimpleStringProperty(this, "service", "");
    private final StringProperty bucket = new SimpleStringProperty(this, "bucket", "");
    private final StringProperty image = new SimpleStringProperty(this, "image", "");
    private final StringProperty jobNamePrefix = new SimpleStringProperty(this, "jobNamePrefix", "");
    private final BooleanProperty production = new SimpleBooleanProperty(this, "production");
    private final BooleanProperty readOnly = new SimpleBooleanProperty(this, "readOnly");
    private final StringProperty credentialsFile = new SimpleStringProperty(this, "credentialsFile", "");
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper(this, "message", "");
    private final ReadOnlyBooleanWrapper failed = new ReadOnlyBooleanWrapper(this, "failed");
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(this, "busy");

    /**
     * @param file               the environments file, {@link Environments#defaultFile()} in the application
     * @param processEnvironment where {@code GOOGLE_APPLICATION_CREDENTIALS} is looked up
     * @param home               where gcloud's application default credentials are looked up
     */
    public AddEnvironmentViewModel(TaskExecutor executor, Path file, Map<String, String> processEnvironment, Path home) {
        this.executor = executor;
        this.file = file;
        this.processEnvironment = processEnvironment;
        this.home = home;
        applicationDefaultCredentials().ifPresent(p -> credentialsFile.set(p.toString()));
    }

    public Path file() {
        return file;
    }

    /** The file Google's clients use when none is named: {@code GOOGLE_APPLICATION_CREDENTIALS}, else gcloud's. */
    Optional<Path> applicationDefaultCredentials() {
        String named = processEnvironment.get("GOOGLE_APPLICATION_CREDENTIALS");
        if (named != null && !named.isBlank()) {
            return Optional.of(Path.of(named));
        }
        Path gcloud = home.resolve(".config/gcloud/application_default_credentials.json");
        return Files.isRegularFile(gcloud) ? Optional.of(gcloud) : Optional.empty();
    }

    /**
     * Checks the fields and the credentials, then writes the file; {@code onSaved} gets the new environment. Nothing is
     * written when a check fails; {@link #messageProperty()} says why.
     */
    public void checkAndSave(Consumer<ConsoleEnvironment> onSaved) {
        Environment env;
        Path key;
        try {
            env = environment();
            key = credentials();
        } catch (SandboxInvalidInputException e) {
            fail(e.getMessage());
            return;
        }
        busy.set(true);
        failed.set(false);
        message.set("Checking the credentials…");
        executor.execute(BackgroundTask.of("add environment " + env.name(), context -> {
                    String who = checkCredentials(key);
                    write(env);
                    return who;
                })
                .onSuccess(who -> {
                    boolean adc = applicationDefaultCredentials().map(p -> p.equals(key)).orElse(false);
                    message.set("Added \"" + env.name() + "\" to " + file + ". " + who + " Google checks it on first use."
                            + (adc ? "" : " The console reaches Google with Application Default Credentials: start it with "
                            + "GOOGLE_APPLICATION_CREDENTIALS=" + key + "."));
                    onSaved.accept(ConsoleEnvironment.of(env));
                })
                .onFailure(e -> fail(ErrorMessages.describe(e)))
                .onFinished(() -> busy.set(false)));
    }

    private void fail(String why) {
        failed.set(true);
        message.set(why + " Nothing was written.");
    }

    /** The entry as the core will read it back; its constructor checks the required fields. */
    Environment environment() {
        String n = name.get().strip();
        if (!NAME.matcher(n).matches()) {
            throw new SandboxInvalidInputException("The name must be 1 to 63 letters, digits, dots, dashes or underscores, e.g. staging.");
        }
        if (n.equals(Environment.LOCAL)) {
            throw new SandboxInvalidInputException("\"local\" is built in (this machine and the emulator); choose another name.");
        }
        if (!PROJECT.matcher(project.get().strip()).matches()) {
            throw new SandboxInvalidInputException("The GCP project is its id: 6 to 30 lowercase letters, digits and dashes, e.g. acme-staging.");
        }
        if (!REGION.matcher(region.get().strip()).matches()) {
            throw new SandboxInvalidInputException("The region is a Cloud Run region, e.g. europe-west1.");
        }
        if (service.get().isBlank()) {
            throw new SandboxInvalidInputException("The service is the agent backend's Cloud Run service, e.g. manus-backend-staging.");
        }
        return new Environment(n, Environment.Kind.GCP, project.get().strip(), region.get().strip(), service.get().strip(),
                bucket.get().strip(), image.get().strip(), jobNamePrefix.get().strip(), production.get(), readOnly.get());
    }

    private Path credentials() {
        if (credentialsFile.get().isBlank()) {
            throw new SandboxInvalidInputException("Choose the credentials: a service-account key file, or run "
                    + "`gcloud auth application-default login` and choose the file it writes.");
        }
        return Path.of(credentialsFile.get().strip());
    }

    /**
     * @return who the credentials are, in words
     * @throws SandboxInvalidInputException saying what is wrong with the file, never what is in it
     */
    static String checkCredentials(Path key) throws IOException {
        if (!Files.isRegularFile(key)) {
            throw new SandboxInvalidInputException("There is no credentials file at " + key + ".");
        }
        if (Files.size(key) > MAX_KEY_BYTES) {
            throw new SandboxInvalidInputException(key + " is too large to be a key file.");
        }
        byte[] bytes = Files.readAllBytes(key);
        JsonNode json;
        try {
            json = new ObjectMapper().readTree(bytes);
        } catch (IOException e) {
            throw new SandboxInvalidInputException(key + " is not JSON; a service-account key is the JSON file the Cloud console downloads.");
        }
        String type = json == null ? "" : json.path("type").asText("");
        switch (type) {
            case "service_account" -> {
                try {
                    ServiceAccountCredentials parsed = ServiceAccountCredentials.fromStream(new ByteArrayInputStream(bytes));
                    return "The key of " + parsed.getClientEmail() + " is a valid service-account key.";
                } catch (IOException | RuntimeException e) {
                    // The library's message names the missing field or says the key is malformed; it never quotes the key.
                    throw new SandboxInvalidInputException(key + " is not a usable service-account key: " + e.getMessage());
                }
            }
            case "authorized_user" -> {
                if (json.path("client_id").asText("").isEmpty() || json.path("refresh_token").asText("").isEmpty()) {
                    throw new SandboxInvalidInputException(key + " lacks client_id or refresh_token; run `gcloud auth application-default login` again.");
                }
                return "The application default credentials of gcloud are readable.";
            }
            default -> throw new SandboxInvalidInputException(key + " is not a service-account key (its \"type\" is "
                    + (type.isEmpty() ? "missing" : "\"" + type + "\"") + ", not \"service_account\").");
        }
    }

    /** Adds the entry, keeping every other one; the file is replaced in one rename and is owner-only. */
    void write(Environment env) throws IOException {
        Environments existing = Environments.load(file);
        if (existing.all().stream().anyMatch(e -> e.name().equals(env.name()))) {
            throw new SandboxInvalidInputException("\"" + env.name() + "\" is already in " + file + "; choose another name.");
        }
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = Files.exists(file) ? (ObjectNode) mapper.readTree(file.toFile()) : mapper.createObjectNode();
        ArrayNode list = root.has("environments") ? (ArrayNode) root.get("environments") : root.putArray("environments");
        ObjectNode entry = list.addObject();
        entry.put("name", env.name());
        entry.put("project", env.projectId());
        entry.put("region", env.region());
        entry.put("service", env.service());
        entry.put("bucket", env.bucket());
        if (!env.executorImage().isEmpty()) {
            entry.put("image", env.executorImage());
        }
        if (!env.jobNamePrefix().isEmpty()) {
            entry.put("jobNamePrefix", env.jobNamePrefix());
        }
        entry.put("production", env.production());
        entry.put("readOnly", env.readOnly());

        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        Path temporary = Files.createTempFile(dir, ".environments-", ".json",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            mapper.writerWithDefaultPrettyPrinter().writeValue(temporary.toFile(), root);
            // The one parser reads it back: the console never writes a file the CLI or the next start would refuse.
            Environments.load(temporary);
            try {
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot replace " + file + " in one step on this file system; edit it by hand", e);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    // ---- properties -------------------------------------------------------------------------------------

    public StringProperty nameProperty() {
        return name;
    }

    public StringProperty projectProperty() {
        return project;
    }

    public StringProperty regionProperty() {
        return region;
    }

    public StringProperty serviceProperty() {
        return service;
    }

    public StringProperty bucketProperty() {
        return bucket;
    }

    public StringProperty imageProperty() {
        return image;
    }

    public StringProperty jobNamePrefixProperty() {
        return jobNamePrefix;
    }

    public BooleanProperty productionProperty() {
        return production;
    }

    public BooleanProperty readOnlyProperty() {
        return readOnly;
    }

    public StringProperty credentialsFileProperty() {
        return credentialsFile;
    }

    /** What the check found, or why nothing was written. */
    public ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty failedProperty() {
        return failed.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }
}
