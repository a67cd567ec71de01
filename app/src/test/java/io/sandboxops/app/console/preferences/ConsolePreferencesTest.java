package io.sandboxops.app.console.preferences;

import static org.assertj.core.api.Assertions.assertThat;

import io.sandboxops.app.console.environment.ConsoleEnvironment;
import io.sandboxops.app.console.environment.EnvironmentsViewModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsolePreferencesTest {
    private static final ConsoleEnvironment PROD = new ConsoleEnvironment("prod-eu", ConsoleEnvironment.Kind.GCP, true, false, "prod");
    private static final ConsoleEnvironment STAGING = new ConsoleEnvironment("staging", ConsoleEnvironment.Kind.GCP, false, false, "staging");

    @TempDir
    Path home;

    @Test
    void theWindowSizeAndLastEnvironmentComeBackOnTheNextLaunch() {
        Path file = home.resolve(".sandbox-ops/console.properties");
        ConsolePreferences first = ConsolePreferences.load(file);
        assertThat(first.windowSize()).as("nothing remembered yet").isEmpty();
        assertThat(first.lastEnvironment()).isEmpty();
        first.windowSize(new ConsolePreferences.WindowSize(1440.4, 900, true));
        first.lastEnvironment("staging");
        assertThat(first.save()).isEmpty();

        ConsolePreferences next = ConsolePreferences.load(file);
        assertThat(next.windowSize()).contains(new ConsolePreferences.WindowSize(1440, 900, true));
        assertThat(next.lastEnvironment()).contains("staging");
    }

    @Test
    void aDamagedOrTinyEntryIsForgottenNotFatal() throws Exception {
        Path file = Files.writeString(home.resolve("console.properties"), "window.width=wide\nwindow.height=700\nenvironment.last=\n");
        assertThat(ConsolePreferences.load(file).windowSize()).isEmpty();
        assertThat(ConsolePreferences.load(file).lastEnvironment()).isEmpty();
        Files.writeString(file, "window.width=300\nwindow.height=200\n");
        assertThat(ConsolePreferences.load(file).windowSize()).as("too small to use").isEmpty();
    }

    @Test
    void aFileThatCannotBeWrittenIsSaidNotThrown() throws Exception {
        Path blocker = Files.writeString(home.resolve("not-a-directory"), "x");
        ConsolePreferences prefs = ConsolePreferences.load(blocker.resolve("console.properties"));
        prefs.lastEnvironment("local");
        assertThat(prefs.save()).hasValueSatisfying(why -> assertThat(why).startsWith("could not save "));
    }

    @Test
    void noneRemembersNothingAndWritesNothing() {
        ConsolePreferences none = ConsolePreferences.none();
        none.lastEnvironment("prod-eu");
        assertThat(none.save()).isEmpty();
        assertThat(ConsolePreferences.none().lastEnvironment()).isEmpty();
    }

    @Test
    void theSwitcherOpensOnTheRememberedEnvironmentAndRemembersEverySwitch() {
        Path file = home.resolve("console.properties");
        ConsolePreferences prefs = ConsolePreferences.load(file);
        prefs.lastEnvironment("staging");
        EnvironmentsViewModel envs = new EnvironmentsViewModel(() -> List.of(ConsoleEnvironment.local(), STAGING, PROD), prefs);
        assertThat(envs.selectedProperty().get()).isEqualTo(STAGING);

        envs.selectedProperty().set(PROD);
        assertThat(prefs.lastEnvironment()).contains("prod-eu");
        assertThat(envs.bannerProperty().get()).as("a remembered production environment still says so").startsWith("PRODUCTION");
    }

    @Test
    void anEnvironmentNoLongerConfiguredFallsBackToLocal() {
        ConsolePreferences prefs = ConsolePreferences.none();
        prefs.lastEnvironment("deleted-project");
        EnvironmentsViewModel envs = new EnvironmentsViewModel(() -> List.of(PROD, ConsoleEnvironment.local()), prefs);
        assertThat(envs.selectedProperty().get().name()).isEqualTo("local");
    }
}
