package io.sandboxops.emulator.monitoring;

import com.google.monitoring.v3.AlertPolicy;
import com.google.monitoring.v3.AlertPolicyServiceGrpc;
import com.google.monitoring.v3.CreateAlertPolicyRequest;
import com.google.monitoring.v3.DeleteAlertPolicyRequest;
import com.google.monitoring.v3.GetAlertPolicyRequest;
import com.google.monitoring.v3.ListAlertPoliciesRequest;
import com.google.monitoring.v3.ListAlertPoliciesResponse;
import com.google.protobuf.Empty;
import io.grpc.stub.StreamObserver;
import io.sandboxops.emulator.ApiError;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * {@code google.monitoring.v3.AlertPolicyService}: alert policies kept in memory, named as Google names them
 * ({@code projects/P/alertPolicies/ID}, the id chosen by the service). They are stored, never evaluated.
 */
public final class AlertPoliciesApi extends AlertPolicyServiceGrpc.AlertPolicyServiceImplBase {
    private final Map<String, AlertPolicy> policies = new TreeMap<>();

    @Override
    public synchronized void listAlertPolicies(ListAlertPoliciesRequest request, StreamObserver<ListAlertPoliciesResponse> observer) {
        ApiError.respond(observer, () -> ListAlertPoliciesResponse.newBuilder()
                .addAllAlertPolicies(policies.entrySet().stream().filter(e -> e.getKey().startsWith(request.getName() + "/alertPolicies/"))
                        .map(Map.Entry::getValue).toList())
                .setTotalSize(policies.size()).build());
    }

    @Override
    public synchronized void getAlertPolicy(GetAlertPolicyRequest request, StreamObserver<AlertPolicy> observer) {
        ApiError.respond(observer, () -> find(request.getName()));
    }

    @Override
    public synchronized void createAlertPolicy(CreateAlertPolicyRequest request, StreamObserver<AlertPolicy> observer) {
        ApiError.respond(observer, () -> {
            if (request.getAlertPolicy().getDisplayName().isEmpty()) {
                throw ApiError.invalidArgument("alert_policy.display_name", "An alert policy needs a display name.");
            }
            String name = request.getName() + "/alertPolicies/" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
            AlertPolicy stored = request.getAlertPolicy().toBuilder().setName(name).build();
            policies.put(name, stored);
            return stored;
        });
    }

    @Override
    public synchronized void deleteAlertPolicy(DeleteAlertPolicyRequest request, StreamObserver<Empty> observer) {
        ApiError.respond(observer, () -> {
            find(request.getName());
            policies.remove(request.getName());
            return Empty.getDefaultInstance();
        });
    }

    private AlertPolicy find(String name) {
        AlertPolicy p = policies.get(name);
        if (p == null) {
            throw ApiError.notFound("Alert policy " + name + " does not exist.");
        }
        return p;
    }
}
