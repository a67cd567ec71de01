package io.sandboxops.emulator.run;

import com.google.cloud.run.v2.DeleteRevisionRequest;
import com.google.cloud.run.v2.GetRevisionRequest;
import com.google.cloud.run.v2.ListRevisionsRequest;
import com.google.cloud.run.v2.ListRevisionsResponse;
import com.google.cloud.run.v2.Revision;
import com.google.cloud.run.v2.RevisionsGrpc;
import com.google.longrunning.Operation;
import io.grpc.stub.StreamObserver;
import io.sandboxops.emulator.ApiError;

/** {@code google.cloud.run.v2.Revisions}: thin over {@link ServiceRegistry}. */
final class RevisionsApi extends RevisionsGrpc.RevisionsImplBase {

    private final ServiceRegistry registry;

    RevisionsApi(ServiceRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void getRevision(GetRevisionRequest request, StreamObserver<Revision> observer) {
        ApiError.respond(observer, () -> registry.getRevision(request.getName()));
    }

    @Override
    public void listRevisions(ListRevisionsRequest request, StreamObserver<ListRevisionsResponse> observer) {
        ApiError.respond(observer, () -> {
            Paging<Revision> page = Paging.page(registry.listRevisions(request.getParent()), request.getPageSize(),
                    request.getPageToken());
            return ListRevisionsResponse.newBuilder().addAllRevisions(page.items()).setNextPageToken(page.nextPageToken()).build();
        });
    }

    @Override
    public void deleteRevision(DeleteRevisionRequest request, StreamObserver<Operation> observer) {
        ApiError.respond(observer, () -> registry.deleteRevision(request.getName(), request.getEtag(), request.getValidateOnly()));
    }
}
