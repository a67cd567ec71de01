package io.sandboxops.core.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The plan's steps as the recorded changes went through them, and the review of a change against the plan. */
class PlanProgressTest {

    private final RolloutPlan plan = RolloutPlan.originalPlan();
    private final List<AuditEntry> oldestFirst = new ArrayList<>();

    private void change(String action, String from, String to, String outcome) {
        oldestFirst.add(new AuditEntry(Instant.ofEpochSecond(1_000 + oldestFirst.size()), AuditEntry.Source.LOCAL, "alice", "local",
                "manus-backend", action, from, to, "why", outcome, "r-1"));
    }

    private List<AuditEntry> newestFirst() {
        List<AuditEntry> out = new ArrayList<>(oldestFirst);
        java.util.Collections.reverse(out);
        return out;
    }

    private List<PlanProgress.State> states(int percentage) {
        return PlanProgress.of(plan, percentage, newestFirst()).steps().stream().map(PlanProgress.StepState::state).toList();
    }

    @Test
    void aJumpFromZeroToTenShowsOnePercentAsSkippedNotDone() {
        change("set", "flag=false, 0 %", "flag=true, 10 %", "applied");
        assertThat(states(10)).containsExactly(PlanProgress.State.SKIPPED, PlanProgress.State.CURRENT, PlanProgress.State.NEXT,
                PlanProgress.State.LATER, PlanProgress.State.LATER, PlanProgress.State.LATER);
        assertThat(PlanProgress.of(plan, 10, newestFirst()).skipped()).extracting(RolloutPlan.Step::percentage).containsExactly(1);
    }

    @Test
    void aStepTheServiceStoodAtIsDone() {
        change("set", "flag=false, 0 %", "flag=true, 1 %", "applied");
        change("set", "flag=true, 1 %", "flag=true, 10 %", "applied");
        assertThat(states(10)).startsWith(PlanProgress.State.DONE, PlanProgress.State.CURRENT);
    }

    @Test
    void aChangeThatFailedOrChangedNothingReachesNoStep() {
        change("set", "flag=false, 0 %", "flag=true, 1 %", "failed: Cloud Run refused; the service now has flag=false, 0 %");
        change("set", "flag=false, 0 %", "flag=true, 10 %", "applied");
        assertThat(states(10)).startsWith(PlanProgress.State.SKIPPED, PlanProgress.State.CURRENT);
    }

    @Test
    void aStepReachedBeforeARollbackDoesNotCountForTheRolloutAfterIt() {
        change("set", "flag=false, 0 %", "flag=true, 1 %", "applied");
        change("rollback", "flag=true, 1 %", "flag=false, 0 %", "verified in 900 ms");
        change("set", "flag=false, 0 %", "flag=true, 25 %", "applied");
        assertThat(states(25)).startsWith(PlanProgress.State.SKIPPED, PlanProgress.State.SKIPPED, PlanProgress.State.CURRENT);
    }

    @Test
    void withNoRecordedChangeTheStepsBelowTheCurrentOneAreSkipped() {
        // A change made outside this tool (gcloud, the Cloud Console) leaves no values in the history: not done.
        assertThat(states(25)).startsWith(PlanProgress.State.SKIPPED, PlanProgress.State.SKIPPED, PlanProgress.State.CURRENT);
        assertThat(states(0)).startsWith(PlanProgress.State.NEXT, PlanProgress.State.LATER);
    }

    @Test
    void theReviewWarnsOfSkippedStepsAndNeedsAReason() {
        ChangeReview review = ChangeReview.of(plan, new EnvValues("false", "0"), new EnvValues("true", "25"));
        assertThat(review.needsReason()).isTrue();
        assertThat(review.warnings()).singleElement().asString()
                .startsWith("going from 0 % to 25 % skips the plan's 1 % step (hold 24 h), 10 % step (hold 48 h)");
    }

    @Test
    void theReviewWarnsThatAPercentageWithTheFlagOffChangesNothing() {
        ChangeReview review = ChangeReview.of(plan, new EnvValues("false", "0"), new EnvValues("false", "10"));
        assertThat(review.warnings()).singleElement().asString().startsWith("the flag stays off, so setting 10 % changes nothing");
    }

    @Test
    void aChangeThatFollowsThePlanHasNoWarnings() {
        assertThat(ChangeReview.of(plan, new EnvValues("false", "0"), new EnvValues("true", "1")).needsReason()).isFalse();
        assertThat(ChangeReview.of(plan, new EnvValues("true", "1"), new EnvValues("true", "10")).needsReason()).isFalse();
        assertThat(ChangeReview.of(plan, new EnvValues("true", "50"), new EnvValues("false", "0")).needsReason()).isFalse();
        // Turning the flag on with 10 % already set is a jump from 0 to 10 %.
        assertThat(ChangeReview.of(plan, new EnvValues("false", "10"), new EnvValues("true", "10")).warnings())
                .singleElement().asString().startsWith("going from 0 % to 10 % skips the plan's 1 % step");
    }

    @Test
    void theAuditLogsDescriptionReadsBack() {
        assertThat(EnvValues.fromDescription(new EnvValues("true", "10").describe())).contains(new EnvValues("true", "10"));
        assertThat(EnvValues.fromDescription("flag=unset, 0 %")).isEmpty();
        assertThat(EnvValues.fromDescription("")).isEmpty();
    }
}
