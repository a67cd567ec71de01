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
}
