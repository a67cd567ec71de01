package io.sandboxops.app.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.testfx.util.WaitForAsyncUtils.waitFor;

import io.sandboxops.app.console.environment.ConsoleEnvironment;
import io.sandboxops.app.console.environment.ServiceStatus;
import io.sandboxops.app.console.environment.Workspace;
import io.sandboxops.app.console.environment.WorkspaceOpener;
import io.sandboxops.app.console.sessions.LastKnownSessions;
import io.sandboxops.app.console.sessions.SessionRow;
import io.sandboxops.app.console.testing.FakeSandboxBackend;
import io.sandboxops.app.console.testing.FakeWorkspace;
import io.sandboxops.app.console.testing.Screenshots;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/**
 * The window shows the sessions the environment listed at the last start, marked stale, before the environment opens;
 * the Docker engine's sessions replace them as soon as it answers, before the rest (the emulator) has opened; and what
 * is remembered for the next start holds no command, output or environment value.
 */
@ExtendWith(ApplicationExtension.class)
class LastKnownSessionsWindowTest {
    private static final String TOKEN = "ghp_abcdefghijklmnopqrstuvwxyz0123456789";

    @TempDir
    static Path home;

    private final FakeSandboxBackend docker = new FakeSandboxBackend();
    private final FakeSandboxBackend cloudRun = new FakeSandboxBackend("cloudrun");
    private final CountDownLatch engineAnswers = new CountDownLatch(1);
    private final CountDownLatch restOpens = new CountDownLatch(1);
    private LastKnownSessions store;
    private ConsoleWindow window;

    @Start
    void start(Stage stage) throws Exception {
        store = new LastKnownSessions(home.resolve(".sandbox-ops").resolve("console-sessions-" + System.nanoTime()));
        Instant earlier = Instant.now().minusSeconds(3600);
        store.save("local", new LastKnownSessions.Snapshot(earlier, List.of(
                new LastKnownSessions.Session("sbx-yesterday-1", FakeSandboxBackend.NAME, "running", earlier.minusSeconds(600)),
                new LastKnownSessions.Session("sbx-live-1", FakeSandboxBackend.NAME, "running", earlier.minusSeconds(300)))));
        docker.add("sbx-live-1", Instant.now().minusSeconds(4000))
                .execStateful("export API_TOKEN=" + TOKEN + " && curl -H \"Authorization: Bearer " + TOKEN + "\" https://example.test",
                        "sbx-live-1", Duration.ofSeconds(5));
        docker.sandbox("sbx-live-1").setEnv("sbx-live-1", Map.of("API_TOKEN", TOKEN));
        docker.add("sbx-live-2", Instant.now().minusSeconds(60));
        cloudRun.add("sbx-cloud-1", Instant.now().minusSeconds(30));
        // As the local opener: the engine first, then (slowly) the emulator and Cloud Run; each step waits for the test.
        WorkspaceOpener opener = new WorkspaceOpener() {
            @Override
            public Workspace open(ConsoleEnvironment environment) {
                return open(environment, early -> { });
            }

            @Override
            public Workspace open(ConsoleEnvironment environment, Consumer<Workspace> early) {
                await(engineAnswers);
                early.accept(new FakeWorkspace(environment, Map.of(FakeSandboxBackend.NAME, docker),
                        List.of(new ServiceStatus("Docker", ServiceStatus.Health.UP, "engine answers"), ServiceStatus.starting("Emulator"))));
                await(restOpens);
                return new FakeWorkspace(environment, Map.of(FakeSandboxBackend.NAME, docker, "cloudrun", cloudRun),
                        List.of(new ServiceStatus("Docker", ServiceStatus.Health.UP, "engine answers"),
                                new ServiceStatus("Emulator", ServiceStatus.Health.UP, "embedded")));
            }
        };
        window = ConsoleWindow.show(stage, new ConsoleWindow.Options(() -> List.of(ConsoleEnvironment.local()), opener)
                .withLastKnownSessions(store));
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never let the environment open");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @AfterEach
    void close() {
        engineAnswers.countDown();
        restOpens.countDown();
        org.testfx.util.WaitForAsyncUtils.asyncFx(window::close);
        org.testfx.util.WaitForAsyncUtils.waitForFxEvents();
    }

    @Test
    void showsTheLastKnownSessionsMarkedStaleUntilTheEngineAnswersThenTheLiveOnesBeforeTheEmulatorOpens(FxRobot robot) throws Exception {
        @SuppressWarnings("unchecked")
        TableView<SessionRow> table = robot.lookup("#sessionsTable").queryAs(TableView.class);
        Label stale = robot.lookup("#staleSessions").queryAs(Label.class);
        // Nothing has answered yet: the remembered list, plainly marked.
        assertThat(ids(table)).containsExactlyInAnyOrder("sbx-yesterday-1", "sbx-live-1");
        assertThat(stale.getText()).startsWith("Last known at ").endsWith("— connecting…");
        waitFor(5, TimeUnit.SECONDS, stale::isVisible);
        Screenshots.save(window.stage().getScene(), "last-known-sessions");

        // The engine answers; the emulator is still starting: Docker's live sessions replace the remembered ones.
        engineAnswers.countDown();
        // Polled from this thread: the listing's callback on the FX thread sets the rows, the marker and "listed" in turn.
        waitFor(10, TimeUnit.SECONDS, () -> ids(table).equals(List.of("sbx-live-1", "sbx-live-2")) && !stale.isVisible()
                && window.sessionsListed().get());
        org.testfx.util.WaitForAsyncUtils.waitForFxEvents();
        assertThat(robot.lookup("#service-emulator").queryAs(Label.class).getText()).isEqualTo("Emulator: starting");

        // The rest joins.
        restOpens.countDown();
        waitFor(10, TimeUnit.SECONDS, () -> ids(table).equals(List.of("sbx-cloud-1", "sbx-live-1", "sbx-live-2")));
        assertThat(stale.isVisible()).isFalse();
    }

    @Test
    void theRememberedListHoldsNoCommandNoOutputAndNoEnvironmentValueAndOnlyTheOwnerReadsIt(FxRobot robot) throws Exception {
        engineAnswers.countDown();
        restOpens.countDown();
        Path file = store.file("local");
        waitFor(10, TimeUnit.SECONDS, () -> Files.readString(file).contains("sbx-cloud-1"));
        // The details (last command with its token) are read after the listing; give the window a refresh to write them, if it would.
        @SuppressWarnings("unchecked")
        TableView<SessionRow> table = robot.lookup("#sessionsTable").queryAs(TableView.class);
        waitFor(10, TimeUnit.SECONDS, () -> table.getItems().stream().anyMatch(r -> r.lastCommandProperty().get().contains("export")));
        robot.interact(() -> window.sessions().refresh());
        org.testfx.util.WaitForAsyncUtils.waitForFxEvents();
        String text = Files.readString(file);
        assertThat(text).contains("sbx-live-1", "sbx-live-2", "sbx-cloud-1")
                .doesNotContain(TOKEN).doesNotContain("API_TOKEN").doesNotContain("curl").doesNotContain("export").doesNotContain("/workspace");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        try (var left = Files.list(file.getParent())) {
            // Written by one rename: no temporary file is left beside it.
            assertThat(left.map(p -> p.getFileName().toString()).toList()).containsExactly(file.getFileName().toString());
        }
    }

    private static List<String> ids(TableView<SessionRow> table) {
        return table.getItems().stream().map(SessionRow::id).sorted().toList();
    }
}
