package io.sandboxops.app.console;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** MVVM as STYLE.md has it: views bind to view models; only view models (and the environment adapters) call the core. */
@AnalyzeClasses(packages = "io.sandboxops.app.console", importOptions = ImportOption.DoNotIncludeTests.class)
class ConsoleArchitectureTest {

    @ArchTest
    static final ArchRule viewsNeverTouchBackends = noClasses().that().haveSimpleNameEndingWith("View")
            .should().dependOnClassesThat().resideInAnyPackage("io.sandboxops.core.docker..", "io.sandboxops.core.shell..",
                    "io.sandboxops.core.cloudrun..", "com.github.dockerjava..", "io.sandboxops.emulator..")
            .because("a view binds to its view model, never to a backend (STYLE.md)");

    @ArchTest
    static final ArchRule viewsDoNotCallTheCore = noClasses().that().haveSimpleNameEndingWith("View")
            .should().dependOnClassesThat().resideInAPackage("io.sandboxops.core..")
            .because("only view models call the core (DESIGN §10: view → view model → Sandbox)");

    @ArchTest
    static final ArchRule onlyTheEnvironmentOpenerKnowsTheBackends = noClasses().that().resideInAPackage("io.sandboxops.app.console..")
            .and().haveNameNotMatching("io\\.sandboxops\\.app\\.console\\.environment\\.LocalWorkspaceOpener.*")
            .should().dependOnClassesThat().resideInAnyPackage("io.sandboxops.core.docker..", "io.sandboxops.core.shell..",
                    "com.github.dockerjava..", "io.sandboxops.emulator..")
            .because("the console works through core.api; which backend answers is decided in one place");

    @ArchTest
    static final ArchRule onlyViewModelsDriveTheControlPlane = noClasses().that().resideInAPackage("io.sandboxops.app.console..")
            .and().haveNameNotMatching(".*ViewModel(\\$.*)?")
            .and().resideOutsideOfPackage("io.sandboxops.app.console.environment..")
            .should().dependOnClassesThat().resideInAnyPackage("io.sandboxops.core.rollout..", "io.sandboxops.core.observe..")
            .because("the rollout, metrics and logs views bind to their view models, which alone call the control plane; "
                    + "the environment opener only builds it");

    @ArchTest
    static final ArchRule controlPlaneViewsStayOutOfTheSessionViews = noClasses().that().resideInAnyPackage("io.sandboxops.app.console.rollout..",
                    "io.sandboxops.app.console.metrics..", "io.sandboxops.app.console.logs..")
            .should().dependOnClassesThat().resideInAnyPackage("io.sandboxops.app.console.sessions..", "io.sandboxops.app.console.shell..",
                    "io.sandboxops.app.console.processes..", "io.sandboxops.app.console.files..")
            .because("the environment's views (rollout, metrics, logs) work on the control plane, not on a sandbox session");

    @ArchTest
    static final ArchRule consoleAndCliStayApart = noClasses().that().resideInAPackage("io.sandboxops.app.console..")
            .should().dependOnClassesThat().resideInAPackage("io.sandboxops.app.cli..")
            .because("the console and sandboxctl are two thin clients of the same core");
}
