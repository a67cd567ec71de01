package io.sandboxops.core.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The core is a library: no UI toolkit, and its API depends on no backend. */
@AnalyzeClasses(packages = "io.sandboxops.core", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule coreNeverImportsJavaFx = noClasses().should().dependOnClassesThat().resideInAPackage("javafx..")
            .because("sandbox-core must make sense without the console (STYLE.md)");

    @ArchTest
    static final ArchRule apiDependsOnNoBackend = noClasses().that().resideInAPackage("io.sandboxops.core.api..")
            .should().dependOnClassesThat().resideInAnyPackage("io.sandboxops.core.docker..", "io.sandboxops.core.shell..",
                    "io.sandboxops.core.files..", "com.github.dockerjava..")
            .because("other modules need only core.api for sandbox work (DESIGN §10)");

    @ArchTest
    static final ArchRule shellEngineKnowsNoBackend = noClasses().that().resideInAPackage("io.sandboxops.core.shell..")
            .should().dependOnClassesThat().resideInAnyPackage("io.sandboxops.core.docker..", "com.github.dockerjava..")
            .because("the same engine runs over every transport (DESIGN §3)");
}
