package io.sandboxops.app.console.environment;

import static org.assertj.core.api.Assertions.assertThat;

import io.sandboxops.app.console.task.CurrentThreadTaskExecutor;
import io.sandboxops.app.env.EnvironmentChecks;
import io.sandboxops.core.preflight.PreflightCheck;
import io.sandboxops.core.preflight.PreflightReport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EnvironmentCheckViewModelTest {

    @Test
    void eachCheckShowsAsItFinishesAndAFailureSaysWhatToDo() {
        List<Integer> rowsSeenWhileRunning = new ArrayList<>();
        EnvironmentCheckViewModel[] vm = new EnvironmentCheckViewModel[1];
        EnvironmentCheck check = progress -> {
            List<PreflightCheck> done = List.of(
                    new PreflightCheck("bucket", PreflightCheck.Outcome.PASS, "gs://b exists", "", Duration.ofMillis(3)),
                    new PreflightCheck("bucket IAM", PreflightCheck.Outcome.FAIL, "the caller lacks storage.objects.get",
                            "`sandboxctl env apply --env local` adds the binding", Duration.ofMillis(5)));
            for (PreflightCheck c : done) {
                progress.accept(c);
                rowsSeenWhileRunning.add(vm[0].rows().size());
            }
            return new EnvironmentChecks.Outcome(new PreflightReport("local", Instant.now(), "me", done), Optional.empty());
        };
        vm[0] = new EnvironmentCheckViewModel(new CurrentThreadTaskExecutor(), () -> Optional.of(check), () -> true);
        vm[0].check();
        assertThat(rowsSeenWhileRunning).containsExactly(1, 2);
        assertThat(vm[0].rows()).extracting(EnvironmentCheckViewModel.CheckRow::outcome).containsExactly("PASS", "FAIL");
        assertThat(vm[0].rows().get(1).describe()).contains("storage.objects.get").contains("sandboxctl env apply --env local");
        assertThat(vm[0].passedProperty().get()).isFalse();
        assertThat(vm[0].runningProperty().get()).isFalse();
        assertThat(vm[0].summaryProperty().get()).contains("FAILED").contains("bucket IAM").contains("recorded");
    }

    @Test
    void aRefusedApprovalRunsNoCanary() {
        boolean[] ran = {false};
        EnvironmentCheckViewModel vm = new EnvironmentCheckViewModel(new CurrentThreadTaskExecutor(), () -> Optional.of(progress -> {
            ran[0] = true;
            throw new AssertionError("must not run");
        }), () -> false);
        vm.check();
        assertThat(ran[0]).isFalse();
        assertThat(vm.summaryProperty().get()).contains("Not checked");
    }

    @Test
    void anEnvironmentWithNothingToCheckSaysSo() {
        EnvironmentCheckViewModel vm = new EnvironmentCheckViewModel(new CurrentThreadTaskExecutor(), Optional::empty, () -> true);
        vm.check();
        assertThat(vm.rows()).isEmpty();
        assertThat(vm.summaryProperty().get()).contains("cannot be checked").contains("environments.json");
    }
}
