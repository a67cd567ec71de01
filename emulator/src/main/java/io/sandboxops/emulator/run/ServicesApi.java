package io.sandboxops.emulator.run;

import com.google.cloud.run.v2.CreateServiceRequest;
import com.google.cloud.run.v2.DeleteServiceRequest;
import com.google.cloud.run.v2.GetServiceRequest;
import com.google.cloud.run.v2.ListServicesRequest;
import com.google.cloud.run.v2.ListServicesResponse;
import com.google.cloud.run.v2.Service;
import com.google.cloud.run.v2.ServicesGrpc;
import com.google.cloud.run.v2.UpdateServiceRequest;
import com.google.longrunning.Operation;
import io.grpc.stub.StreamObserver;
import io.sandboxops.emulator.ApiError;

/** {@code google.cloud.run.v2.Services}: thin over {@link ServiceRegistry}. Of the IAM methods only {@code TestIamPermissions}: the one local principal
 * holds roles/run.admin, so it gets every {@code run.*} permission it asks for on a service that exists. */
final class ServicesApi extends ServicesGrpc.ServicesImplBase {

    private final ServiceRegistry registry;

    ServicesApi(ServiceRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void createService(CreateServiceRequest request, StreamObserver<Operation> observer) {
        ApiError.respond(observer, () -> registry.create(request.getParent(), request.getServiceId(), request.getService(),
                request.getValidateOnly()));
    }

    @Override
    public void getService(GetServiceRequest request, StreamObserver<Service> observer) {
        ApiError.respond(observer, () -> registry.get(request.getName()));
    }

    @Override
    public void listServices(ListServicesRequest request, StreamObserver<ListServicesResponse> observer) {
        ApiError.respond(observer, () -> {
            Paging<Service> page = Paging.page(registry.list(request.getParent()), request.getPageSize(), request.getPageToken());
            return ListServicesResponse.newBuilder().addAllServices(page.items()).setNextPageToken(page.nextPageToken()).build();
        });
    }

    @Override
    public void updateService(UpdateServiceRequest request, StreamObserver<Operation> observer) {
        ApiError.respond(observer, () -> registry.update(request.getService(),
                request.hasUpdateMask() ? request.getUpdateMask() : null, request.getAllowMissing(), request.getValidateOnly()));
    }

    @Override
    public void deleteService(DeleteServiceRequest request, StreamObserver<Operation> observer) {
        ApiError.respond(observer, () -> registry.delete(request.getName(), request.getEtag(), request.getValidateOnly()));
    }

    @Override
    public void testIamPermissions(com.google.iam.v1.TestIamPermissionsRequest request,
                                   StreamObserver<com.google.iam.v1.TestIamPermissionsResponse> observer) {
        ApiError.respond(observer, () -> {
            registry.get(request.getResource());
            return RunPermissions.held(request);
        });
    }
}
