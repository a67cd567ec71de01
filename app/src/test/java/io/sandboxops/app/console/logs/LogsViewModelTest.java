package io.sandboxops.app.console.logs;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.cloud.run.v2.Job;
import io.sandboxops.app.console.environment.Workspace;
import io.sandboxops.app.console.status.StatusLine;
import io.sandboxops.app.console.task.CurrentThreadTaskExecutor;
import io.sandboxops.app.console.testing.EmulatedControlPlane;
import io.sandboxops.core.rollout.RolloutChange;
import io.sandboxops.core.rollout.RolloutProgress;
import java.nio.file.Path;
import javafx.beans.property.SimpleObjectProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The logs and audit view model over the real logs service and rollout history of the emulator. */
class LogsViewModelTest {

    @TempDir
    Path home;

    private final CurrentThreadTaskExecutor executor = new CurrentThreadTaskExecutor();
    private final StatusLine status = new StatusLine();
    private final SimpleObjectProperty<Workspace> workspace = new SimpleObjectProperty<>();
    private EmulatedControlPlane cloud;
    private LogsViewModel vm;

    @BeforeEach
    void open() {
        cloud = new EmulatedControlPlane(home.resolve("audit.jsonl"));
        vm = new LogsViewModel(executor, status, workspace);
        vm.shownProperty().set(true);
    }

    @AfterEach
    void close() {
        vm.dispose();
        cloud.close();
    }

    @Test
    void listsTheExecutionsLogsAndTheFilterNarrowsThem() {
        Job job = cloud.shellJob("sbx-logs");
        cloud.run(job, "echo 'cloning the repository'; echo 'npm ERR! missing script' >&2");
        cloud.run(job, "echo 'tests passed'");
        workspace.set(cloud.workspace());
        assertThat(vm.rows()).extracting(LogRow::message).contains("cloning the repository", "npm ERR! missing script", "tests passed");
        assertThat(vm.rows()).allSatisfy(r -> assertThat(r.resource()).isEqualTo("sbx-logs"));
        assertThat(vm.logsMessageProperty().get()).endsWith("entries of the last 24 hours.");

        vm.filterProperty().set("npm err");
        assertThat(vm.visibleRows()).extracting(LogRow::message).containsExactly("npm ERR! missing script");
        vm.filterProperty().set("");
        assertThat(vm.visibleRows()).hasSameSizeAs(vm.rows());
    }

    @Test
    void followingAddsOnlyTheNewEntries() {
        Job job = cloud.shellJob("sbx-logs");
        cloud.run(job, "echo 'first'");
        workspace.set(cloud.workspace());
        int before = vm.rows().size();
        vm.followProperty().set(true);
        cloud.run(job, "echo 'second'");
        executor.tick();
        assertThat(vm.rows()).extracting(LogRow::message).containsOnlyOnce("first", "second");
        assertThat(vm.rows().size()).isGreaterThan(before);
        assertThat(vm.rows()).extracting(LogRow::id).doesNotHaveDuplicates();
    }

    @Test
    void offersThePreparedQueries() {
        assertThat(vm.queries()).extracting(QueryChoice::name).first().isEqualTo("All sandbox executions");
        // The CLI's --query takes the same queries (sandboxctl logs --list-queries).
        assertThat(vm.queries()).extracting(QueryChoice::filter).containsExactlyElementsOf(
                io.sandboxops.core.observe.LogsService.queries().stream().map(io.sandboxops.core.observe.PreparedQuery::filter).toList());
        assertThat(vm.queries()).hasSizeGreaterThan(1);
        vm.selectedQueryProperty().set(vm.queries().get(1));
        assertThat(vm.queryProperty().get()).isEqualTo(vm.queries().get(1).filter());
    }

    @Test
    void theAuditListsWhoChangedTheRolloutWhenFromWhatToWhatAndWhy() {
        cloud.plane.rollout().apply(RolloutChange.percentage(10), "raise to 10 %", "alice", RolloutProgress.NONE);
        cloud.plane.rollout().rollback("error budget burnt", "bob", RolloutProgress.NONE);
        workspace.set(cloud.workspace());
        assertThat(vm.audit()).filteredOn(r -> r.source().equals("local")).extracting(AuditRow::actor, AuditRow::action, AuditRow::change,
                AuditRow::reason).containsExactly(
                org.assertj.core.groups.Tuple.tuple("bob", "rollback", "flag=false, 10 % → flag=false, 0 %", "error budget burnt"),
                org.assertj.core.groups.Tuple.tuple("alice", "set", "flag=false, 0 % → flag=false, 10 %", "raise to 10 %"));
        assertThat(vm.auditMessageProperty().get()).contains("changes, newest first.");
    }

    @Test
    void theClientsEventsTheExecutorsLogAndAnUnknownLineShareTheTableWithTheirColumns() {
        String key = io.sandboxops.core.observe.SandboxEvent.sessionKey("sbx-table");
        try (io.sandboxops.core.observe.CloudLoggingEventSink sink = new io.sandboxops.core.observe.CloudLoggingEventSink(cloud.target)) {
            sink.record(new io.sandboxops.core.observe.SandboxEvent(java.time.Instant.now(), "docker", "session", "exec",
                    io.sandboxops.core.observe.SandboxEvent.Outcome.OK, 1250, key, java.util.OptionalInt.of(0), java.util.OptionalLong.empty()));
        }
        Job job = cloud.shellJob("sbx-table");
        cloud.run(job, "echo '{\"severity\":\"INFO\",\"event\":\"command\",\"session_id\":\"sess-7\",\"shell\":\"main\",\"exit_code\":1,"
                + "\"duration_ms\":90}'; echo '{\"event\":{\"nested\":true},\"duration_ms\":\"soon\"}'; echo 'plain words'");
        workspace.set(cloud.workspace());
        vm.queryProperty().set("logName:\"sandbox-ops-client\" OR resource.labels.job_name=\"sbx-table\"");
        vm.run();
        assertThat(vm.rows()).extracting(LogRow::event, LogRow::backend, LogRow::session, LogRow::operation, LogRow::duration, LogRow::exit,
                LogRow::message).contains(
                org.assertj.core.groups.Tuple.tuple("sandbox_operation", "docker", key, "exec · ok", "1,250 ms", "0", "schema_version=1 mode=session"),
                org.assertj.core.groups.Tuple.tuple("command", "", "sess-7", "", "90 ms", "1", "shell=main"),
                org.assertj.core.groups.Tuple.tuple("", "", "", "", "", "", "plain words"));
        // Malformed: the known names of the wrong type fill no column; nothing known, so the message is the whole payload.
        assertThat(vm.rows()).filteredOn(r -> r.message().contains("soon")).singleElement().satisfies(r -> {
            assertThat(r.event()).isEmpty();
            assertThat(r.duration()).isEmpty();
            assertThat(r.message()).contains("\"event\":{\"nested\":true}").contains("\"duration_ms\":\"soon\"");
        });

        vm.filterProperty().set("sess-7");
        assertThat(vm.visibleRows()).singleElement().extracting(LogRow::event).isEqualTo("command");
        vm.selectedRowProperty().set(vm.visibleRows().get(0));
        assertThat(vm.detailsProperty().get()).contains("\"session_id\": \"sess-7\"", "\"insertId\"", "\"timestamp\"",
                "\"job_name\": \"sbx-table\"", "run.googleapis.com/execution_name");
        vm.selectedRowProperty().set(null);
        assertThat(vm.detailsProperty().get()).isEmpty();
    }

    @Test
    void whatASandboxLogsIsShownInertInTheRowsAndTheDetails() {
        Job job = cloud.shellJob("sbx-inert");
        // An escape sequence that would clear a terminal and retitle a window, and a right-to-left override.
        cloud.run(job, "printf '{\"event\":\"request\",\"message\":\"done\\\\u001b[2J\\\\u001b]0;pwned\\\\u0007 \\\\u202etxt.exe\"}\\n'");
        workspace.set(cloud.workspace());
        vm.queryProperty().set("resource.labels.job_name=\"sbx-inert\"");
        vm.run();
        LogRow row = vm.rows().stream().filter(r -> r.event().equals("request")).findFirst().orElseThrow();
        assertThat(row.message()).doesNotContain("\u001b").doesNotContain("\u202e").contains("\\e[2J");
        vm.selectedRowProperty().set(row);
        assertThat(vm.detailsProperty().get()).doesNotContain("\u001b").doesNotContain("\u202e").doesNotContain("\u0007");
    }
}
