package io.sandboxops.emulator.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.api.gax.rpc.NotFoundException;
import com.google.cloud.run.v2.Condition;
import com.google.cloud.run.v2.Execution;
import com.google.cloud.run.v2.Job;
import com.google.cloud.run.v2.JobsClient;
import com.google.cloud.run.v2.Task;
import com.google.cloud.run.v2.TasksClient;
import io.sandboxops.emulator.CloudClients;
import io.sandboxops.emulator.LocalCloud;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Cloud Run v2 Tasks service (ListTasks, GetTask) through the official TasksClient. */
class TasksApiTest {

    private static LocalCloud cloud;
    private static JobsClient jobs;
    private static TasksClient tasks;
    private static String parent;

    @BeforeAll
    static void start() {
        cloud = LocalCloud.start();
        jobs = CloudClients.jobs(cloud.endpoints());
        tasks = CloudClients.tasks(cloud.endpoints());
        parent = cloud.endpoints().locationName();
    }

    @AfterAll
    static void stop() {
        jobs.close();
        tasks.close();
        cloud.close();
    }

    @Test
    void theTasksOfAnExecutionAreListedAndRead() throws Exception {
        // Task 1 fails once and succeeds on its retry; task 0 succeeds at once.
        Job job = jobs.createJobAsync(parent, JobFixtures.shellJob(
                "test \"$CLOUD_RUN_TASK_INDEX\" = 0 || test \"$CLOUD_RUN_TASK_ATTEMPT\" = 1", 2), "tasked")
                .get(30, TimeUnit.SECONDS);
        job = jobs.updateJobAsync(job.toBuilder().setTemplate(job.getTemplate().toBuilder().setTaskCount(2)).build())
                .get(30, TimeUnit.SECONDS);
        Execution done = jobs.runJobAsync(job.getName()).get(60, TimeUnit.SECONDS);
        assertThat(done.getSucceededCount()).isEqualTo(2);

        List<Task> listed = new ArrayList<>();
        tasks.listTasks(done.getName()).iterateAll().forEach(listed::add);
        assertThat(listed).extracting(Task::getIndex).containsExactly(0, 1);
        String shortExecution = done.getName().substring(done.getName().lastIndexOf('/') + 1);
        assertThat(listed.get(0).getName()).isEqualTo(done.getName() + "/tasks/" + shortExecution + "-task0");
        assertThat(listed.get(1).getRetried()).isEqualTo(1);
        assertThat(listed.get(0).getRetried()).isZero();
        for (Task t : listed) {
            assertThat(t.getJob()).isEqualTo("tasked");
            assertThat(t.getExecution()).isEqualTo(shortExecution);
            assertThat(t.hasStartTime()).isTrue();
            assertThat(t.hasCompletionTime()).isTrue();
            assertThat(t.getLastAttemptResult().getExitCode()).isZero();
            assertThat(t.getConditionsList()).anySatisfy(c -> {
                assertThat(c.getType()).isEqualTo("Completed");
                assertThat(c.getState()).isEqualTo(Condition.State.CONDITION_SUCCEEDED);
            });
            assertThat(t.getEtag()).isNotEmpty();
        }

        Task read = tasks.getTask(listed.get(1).getName());
        assertThat(read).isEqualTo(listed.get(1));
        assertThatThrownBy(() -> tasks.getTask(done.getName() + "/tasks/" + shortExecution + "-task9"))
                .isInstanceOf(NotFoundException.class);
    }

    @Test
    void aFailedTaskReportsItsExitCode() throws Exception {
        Job job = jobs.createJobAsync(parent, JobFixtures.shellJob("exit 3", 0), "failing-task").get(30, TimeUnit.SECONDS);
        Execution done = jobs.runJobAsync(job.getName()).get(60, TimeUnit.SECONDS);
        Task task = tasks.listTasks(done.getName()).iterateAll().iterator().next();
        assertThat(task.getLastAttemptResult().getExitCode()).isEqualTo(3);
        assertThat(task.getConditionsList()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("Completed");
            assertThat(c.getState()).isEqualTo(Condition.State.CONDITION_FAILED);
        });
    }
}
