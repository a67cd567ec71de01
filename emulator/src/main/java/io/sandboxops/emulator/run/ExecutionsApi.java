package io.sandboxops.emulator.run;

import com.google.cloud.run.v2.CancelExecutionRequest;
import com.google.cloud.run.v2.DeleteExecutionRequest;
import com.google.cloud.run.v2.Execution;
import com.google.cloud.run.v2.ExecutionsGrpc;
import com.google.cloud.run.v2.GetExecutionRequest;
import com.google.cloud.run.v2.ListExecutionsRequest;
import com.google.cloud.run.v2.ListExecutionsResponse;
import com.google.longrunning.Operation;
import io.grpc.stub.StreamObserver;
import io.sandboxops.emulator.ApiError;

/** {@code google.cloud.run.v2.Executions}: thin over {@link JobRegistry}. */
final class ExecutionsApi extends ExecutionsGrpc.ExecutionsImplBase {

    private final JobRegistry registry;

    ExecutionsApi(JobRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void getExecution(GetExecutionRequest request, StreamObserver<Execution> observer) {
        ApiError.respond(observer, () -> registry.getExecution(request.getName()));
    }

    @Override
    public void listExecutions(ListExecutionsRequest request, StreamObserver<ListExecutionsResponse> observer) {
        ApiError.respond(observer, () -> {
            Paging<Execution> page = Paging.page(registry.listExecutions(request.getParent()), request.getPageSize(),
                    request.getPageToken());
            return ListExecutionsResponse.newBuilder().addAllExecutions(page.items())
                    .setNextPageToken(page.nextPageToken()).build();
        });
    }

    @Override
    public void deleteExecution(DeleteExecutionRequest request, StreamObserver<Operation> observer) {
        ApiError.respond(observer, () -> registry.deleteExecution(request.getName(), request.getEtag(), request.getValidateOnly()));
    }

    @Override
    public void cancelExecution(CancelExecutionRequest request, StreamObserver<Operation> observer) {
        ApiError.respond(observer, () -> registry.cancelExecution(request.getName(), request.getEtag(), request.getValidateOnly()));
    }
}
