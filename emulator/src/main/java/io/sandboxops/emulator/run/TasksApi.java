package io.sandboxops.emulator.run;

import com.google.cloud.run.v2.GetTaskRequest;
import com.google.cloud.run.v2.ListTasksRequest;
import com.google.cloud.run.v2.ListTasksResponse;
import com.google.cloud.run.v2.Task;
import com.google.cloud.run.v2.TasksGrpc;
import io.grpc.stub.StreamObserver;
import io.sandboxops.emulator.ApiError;

/** {@code google.cloud.run.v2.Tasks}: thin over {@link JobRegistry}. */
final class TasksApi extends TasksGrpc.TasksImplBase {

    private final JobRegistry registry;

    TasksApi(JobRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void getTask(GetTaskRequest request, StreamObserver<Task> observer) {
        ApiError.respond(observer, () -> registry.getTask(request.getName()));
    }

    @Override
    public void listTasks(ListTasksRequest request, StreamObserver<ListTasksResponse> observer) {
        ApiError.respond(observer, () -> {
            Paging<Task> page = Paging.page(registry.listTasks(request.getParent()), request.getPageSize(), request.getPageToken());
            return ListTasksResponse.newBuilder().addAllTasks(page.items()).setNextPageToken(page.nextPageToken()).build();
        });
    }
}
