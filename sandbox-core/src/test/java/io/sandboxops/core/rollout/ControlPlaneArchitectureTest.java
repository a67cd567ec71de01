package io.sandboxops.core.rollout;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The control plane takes backends as {@code SandboxBackend}s, so the Cloud Run path never loads Docker and vice versa. */
@AnalyzeClasses(packages = "io.sandboxops.core", importOptions = ImportOption.DoNotIncludeTests.class)
class ControlPlaneArchitectureTest {

    @ArchTest
    static final ArchRule controlPlaneKnowsNoBackend = noClasses()
            .that().resideInAnyPackage("io.sandboxops.core.rollout..", "io.sandboxops.core.observe..")
            .should().dependOnClassesThat().resideInAnyPackage("io.sandboxops.core.docker..", "io.sandboxops.core.cloudrun..",
                    "io.sandboxops.core.state..", "io.sandboxops.core.shell..", "com.github.dockerjava..")
            .because("SandboxFactory gets its backends as SandboxBackend suppliers (DESIGN §6)");

    @ArchTest
    static final ArchRule observingNeverWritesTheRollout = noClasses()
            .that().resideInAPackage("io.sandboxops.core.observe..")
            .should().dependOnClassesThat().resideInAPackage("io.sandboxops.core.rollout..")
            .because("metrics and logs are read-only; the rollout package uses them, not the other way round");
}
