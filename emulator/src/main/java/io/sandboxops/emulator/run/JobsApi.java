package io.sandboxops.emulator.run;

import com.google.cloud.run.v2.CreateJobRequest;
import com.google.cloud.run.v2.DeleteJobRequest;
import com.google.cloud.run.v2.GetJobRequest;
import com.google.cloud.run.v2.Job;
import com.google.cloud.run.v2.JobsGrpc;
import com.google.cloud.run.v2.ListJobsRequest;
import com.google.cloud.run.v2.ListJobsResponse;
import com.google.cloud.run.v2.RunJobRequest;
import com.google.cloud.run.v2.UpdateJobRequest;
import com.google.longrunning.Operation;
import io.grpc.stub.StreamObserver;
import io.sandboxops.emulator.ApiError;

/** {@code google.cloud.run.v2.Jobs}: thin over {@link JobRegistry}. Of the IAM methods only {@code TestIamPermissions}: the one local principal
 * holds roles/run.admin, so it gets every {@code run.*} permission it asks for on a job that exists. */
final class JobsApi extends JobsGrpc.JobsImplBase {

    private final JobRegistry registry;

    JobsApi(JobRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void createJob(CreateJobRequest request, StreamObserver<Operation> observer) {
        ApiError.respond(observer, () -> registry.create(request.getParent(), request.getJobId(), request.getJob(),
                request.getValidateOnly()));
    }

    @Override
    public void getJob(GetJobRequest request, StreamObserver<Job> observer) {
        ApiError.respond(observer, () -> registry.get(request.getName()));
    }

    @Override
    public void listJobs(ListJobsRequest request, StreamObserver<ListJobsResponse> observer) {
        ApiError.respond(observer, () -> {
            Paging<Job> page = Paging.page(registry.list(request.getParent()), request.getPageSize(), request.getPageToken());
            return ListJobsResponse.newBuilder().addAllJobs(page.items()).setNextPageToken(page.nextPageToken()).build();
        });
    }

    @Override
    public void updateJob(UpdateJobRequest request, StreamObserver<Operation> observer) {
        ApiError.respond(observer, () -> registry.update(request.getJob(), request.getAllowMissing(), request.getValidateOnly()));
    }

    @Override
    public void deleteJob(DeleteJobRequest request, StreamObserver<Operation> observer) {
        ApiError.respond(observer, () -> registry.delete(request.getName(), request.getEtag(), request.getValidateOnly()));
    }

    @Override
    public void runJob(RunJobRequest request, StreamObserver<Operation> observer) {
        ApiError.respond(observer, () -> registry.run(request));
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
