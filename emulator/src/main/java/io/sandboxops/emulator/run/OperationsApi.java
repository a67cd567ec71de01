package io.sandboxops.emulator.run;

import com.google.longrunning.CancelOperationRequest;
import com.google.longrunning.DeleteOperationRequest;
import com.google.longrunning.GetOperationRequest;
import com.google.longrunning.ListOperationsRequest;
import com.google.longrunning.ListOperationsResponse;
import com.google.longrunning.Operation;
import com.google.longrunning.OperationsGrpc;
import com.google.longrunning.WaitOperationRequest;
import com.google.protobuf.Empty;
import com.google.rpc.Code;
import io.grpc.stub.StreamObserver;
import io.sandboxops.emulator.ApiError;
import java.time.Duration;

/**
 * {@code google.longrunning.Operations} for the Cloud Run operations: Get, Wait, List, Delete. Cloud Run
 * does not support cancelling an operation (cancel the execution instead), and neither does this.
 */
final class OperationsApi extends OperationsGrpc.OperationsImplBase {

    /** WaitOperation without a timeout waits at most this long, like the server-side cap of the real API. */
    private static final Duration MAX_WAIT = Duration.ofMinutes(2);

    private final OperationStore operations;

    OperationsApi(OperationStore operations) {
        this.operations = operations;
    }

    @Override
    public void getOperation(GetOperationRequest request, StreamObserver<Operation> observer) {
        ApiError.respond(observer, () -> operations.get(request.getName()));
    }

    @Override
    public void waitOperation(WaitOperationRequest request, StreamObserver<Operation> observer) {
        ApiError.respond(observer, () -> {
            Duration timeout = request.hasTimeout()
                    ? Duration.ofSeconds(request.getTimeout().getSeconds(), request.getTimeout().getNanos())
                    : MAX_WAIT;
            if (timeout.isNegative()) {
                throw ApiError.invalidArgument("timeout", "must not be negative");
            }
            return operations.await(request.getName(), timeout.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : timeout);
        });
    }

    @Override
    public void listOperations(ListOperationsRequest request, StreamObserver<ListOperationsResponse> observer) {
        ApiError.respond(observer, () -> {
            String parent = ResourceNames.location(request.getName(), "name");
            Paging<Operation> page = Paging.page(operations.list(parent), request.getPageSize(), request.getPageToken());
            return ListOperationsResponse.newBuilder().addAllOperations(page.items())
                    .setNextPageToken(page.nextPageToken()).build();
        });
    }

    @Override
    public void deleteOperation(DeleteOperationRequest request, StreamObserver<Empty> observer) {
        ApiError.respond(observer, () -> {
            operations.delete(request.getName());
            return Empty.getDefaultInstance();
        });
    }

    @Override
    public void cancelOperation(CancelOperationRequest request, StreamObserver<Empty> observer) {
        ApiError.respond(observer, () -> {
            throw ApiError.of(Code.UNIMPLEMENTED, "Cloud Run operations cannot be cancelled; cancel the execution instead.");
        });
    }
}
