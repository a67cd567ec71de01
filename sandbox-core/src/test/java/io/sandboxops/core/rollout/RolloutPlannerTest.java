package io.sandboxops.core.rollout;

import io.sandboxops.core.testing.LocalTargets;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.cloud.run.v2.Container;
import com.google.cloud.run.v2.ExecutionTemplate;
import com.google.cloud.run.v2.Job;
import com.google.cloud.run.v2.TaskTemplate;
import io.sandboxops.core.env.GoogleClients;
import io.sandboxops.core.observe.MetricTargets;
import io.sandboxops.core.observe.MetricsService;
import io.sandboxops.core.observe.PriceTable;
import io.sandboxops.emulator.LocalCloud;
import io.sandboxops.emulator.LocalCloudConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rollout plan's gates over executions the emulator ran, some made to fail by its fault injection. */
class RolloutPlannerTest {

    private static LocalCloud cloud;
    private static GoogleClients clients;

    @TempDir
    Path home;

    @BeforeAll
    static void start() {
        cloud = LocalCloud.start(LocalCloudConfig.newBuilder().revisionReadyDelay(Duration.ofMillis(300)).build());
        clients = new GoogleClients(LocalTargets.of(cloud));
    }

    @AfterAll
    static void stop() {
        clients.close();
        cloud.close();
    }

    private RolloutPlanner planner(String service, String jobPrefix, RolloutPlan plan) {
        RolloutController controller = new RolloutController(clients, "local", service,
                new RolloutAuditLog(home.resolve("audit.jsonl")), RolloutController.Options.defaults());
        return new RolloutPlanner(controller, new MetricsService(clients, jobPrefix, PriceTable.cloudRunJobsTier1(),
                MetricTargets.originalPlan()), plan, Clock.systemUTC());
    }

    /** Runs {@code ok} executions that succeed and {@code crashed} that the emulator kills part-way. */
    private static void runExecutions(String jobName, int ok, int crashed) throws Exception {
        Job job = clients.jobs().createJobAsync(cloud.endpoints().locationName(), Job.newBuilder().setTemplate(ExecutionTemplate.newBuilder()
                .setTemplate(TaskTemplate.newBuilder().setMaxRetries(0).addContainers(Container.newBuilder()
                        .setImage("sandboxops/sandbox:latest").addCommand("sh").addArgs("-c").addArgs("sleep 0.5")))).build(), jobName)
                .get(30, TimeUnit.SECONDS);
        for (int i = 0; i < ok; i++) {
            assertThat(clients.jobs().runJobAsync(job.getName()).get(60, TimeUnit.SECONDS).getSucceededCount()).isEqualTo(1);
        }
        for (int i = 0; i < crashed; i++) {
            cloud.faults().crashNextTaskAttempts(1, Duration.ofMillis(100));
            assertThat(clients.jobs().runJobAsync(job.getName()).get(60, TimeUnit.SECONDS).getFailedCount()).isEqualTo(1);
        }
    }

    @Test
    void aBreachedGateRecommendsRollbackAndShowsTheSampleSize() throws Exception {
        RolloutControllerTest.createWith(clients, cloud, "plan-breach", RolloutControllerTest.agentBackend("true", "10"));
        runExecutions("sbx-breach-1", 3, 2);

        PlanReview review = planner("plan-breach", "sbx-breach-", RolloutPlan.originalPlan()).review("planner", RolloutProgress.NONE);

        System.out.println(String.join("\n", review.describe()));
        assertThat(review.action()).isEqualTo(PlanReview.Action.ROLLBACK);
        assertThat(review.step()).contains(new RolloutPlan.Step(10, Duration.ofHours(48)));
        assertThat(review.reason()).contains("job success rate 60.00 %").contains("n=5").contains("rollout rollback");
        assertThat(review.gate().orElseThrow().verdict()).isEqualTo(Gate.Verdict.BREACH);
        assertThat(review.rollback()).isEmpty();
        assertThat(review.status().template()).isEqualTo(new EnvValues("true", "10"));
    }

    @Test
    void aPlanThatRollsBackOnBreachDoesSo() throws Exception {
        RolloutControllerTest.createWith(clients, cloud, "plan-auto", RolloutControllerTest.agentBackend("true", "25"));
        runExecutions("sbx-auto-1", 1, 1);

        PlanReview review = planner("plan-auto", "sbx-auto-", RolloutPlan.originalPlan().withOnBreach(RolloutPlan.OnBreach.ROLL_BACK))
                .review("planner", RolloutProgress.NONE);

        assertThat(review.action()).isEqualTo(PlanReview.Action.ROLLED_BACK);
        assertThat(review.rollback()).hasValueSatisfying(r -> assertThat(r.outcome()).isEqualTo(RollbackReport.Outcome.VERIFIED));
        assertThat(new RolloutAuditLog(home.resolve("audit.jsonl")).read()).singleElement().satisfies(e -> {
            assertThat(e.action()).isEqualTo("rollback");
            assertThat(e.reason()).startsWith("rollout plan: gate breached at 25 %");
        });
    }

    @Test
    void aStepHoldsUntilItsTimeIsOverAndItsGateHasEnoughExecutionsThenAdvances() throws Exception {
        RolloutControllerTest.createWith(clients, cloud, "plan-advance", RolloutControllerTest.agentBackend("false", "0"));
        RolloutPlan quick = new RolloutPlan(List.of(new RolloutPlan.Step(1, Duration.ofSeconds(3)), new RolloutPlan.Step(10, Duration.ofSeconds(3)),
                new RolloutPlan.Step(100, Duration.ZERO)), new Gate(99.0, Duration.ofSeconds(15), 1.0, 2).withoutBaseline(),
                RolloutPlan.OnBreach.RECOMMEND_ROLLBACK);
        RolloutPlanner planner = planner("plan-advance", "sbx-advance-", quick);

        assertThat(planner.review("planner", RolloutProgress.NONE).action()).isEqualTo(PlanReview.Action.START);
        RolloutPlanner.Advance started = planner.advance("start the plan", "alice", RolloutProgress.NONE);
        assertThat(started.change()).hasValueSatisfying(c -> assertThat(c.after().template()).isEqualTo(new EnvValues("true", "1")));

        PlanReview early = planner.review("planner", RolloutProgress.NONE);
        assertThat(early.action()).isEqualTo(PlanReview.Action.HOLD);
        assertThat(early.reason()).startsWith("hold ");
        assertThat(planner.advance("too soon", "alice", RolloutProgress.NONE).change()).isEmpty();

        runExecutions("sbx-advance-1", 1, 0);
        await().atMost(10, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(500)).until(() -> early.heldFor().plusSeconds(3)
                .compareTo(planner.review("planner", RolloutProgress.NONE).heldFor()) < 0);
        PlanReview small = planner.review("planner", RolloutProgress.NONE);
        assertThat(small.action()).isEqualTo(PlanReview.Action.HOLD);
        assertThat(small.reason()).contains("too few samples: n=1 Cloud Run executions of at least 2");

        runExecutions("sbx-advance-2", 1, 0);
        RolloutPlanner.Advance advanced = planner.advance("gate held", "alice", RolloutProgress.NONE);
        assertThat(advanced.review().action()).isEqualTo(PlanReview.Action.ADVANCE);
        assertThat(advanced.change()).hasValueSatisfying(c -> assertThat(c.after().template()).isEqualTo(new EnvValues("true", "10")));
        assertThat(new RolloutAuditLog(home.resolve("audit.jsonl")).read()).extracting(AuditEntry::action, AuditEntry::to)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("plan-step", "flag=true, 1 %"),
                        org.assertj.core.groups.Tuple.tuple("plan-step", "flag=true, 10 %"));
    }
}
