package io.sandboxops.emulator.monitoring;

import com.google.monitoring.dashboard.v1.CreateDashboardRequest;
import com.google.monitoring.dashboard.v1.Dashboard;
import com.google.monitoring.dashboard.v1.DashboardsServiceGrpc;
import com.google.monitoring.dashboard.v1.DeleteDashboardRequest;
import com.google.monitoring.dashboard.v1.GetDashboardRequest;
import com.google.monitoring.dashboard.v1.ListDashboardsRequest;
import com.google.monitoring.dashboard.v1.ListDashboardsResponse;
import com.google.monitoring.dashboard.v1.UpdateDashboardRequest;
import com.google.protobuf.Empty;
import io.grpc.stub.StreamObserver;
import io.sandboxops.emulator.ApiError;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * {@code google.monitoring.dashboard.v1.DashboardsService}: dashboards kept in memory, named as Google names them
 * ({@code projects/P/dashboards/ID}: the id the caller put in the dashboard's name, or one chosen by the service), each
 * with an etag that changes on every update, so an update carrying a stale etag is refused as Google refuses it. They
 * are stored, never rendered.
 */
public final class DashboardsApi extends DashboardsServiceGrpc.DashboardsServiceImplBase {
    private final Map<String, Dashboard> dashboards = new TreeMap<>();

    @Override
    public synchronized void listDashboards(ListDashboardsRequest request, StreamObserver<ListDashboardsResponse> observer) {
        ApiError.respond(observer, () -> ListDashboardsResponse.newBuilder()
                .addAllDashboards(dashboards.entrySet().stream().filter(e -> e.getKey().startsWith(request.getParent() + "/dashboards/"))
                        .map(Map.Entry::getValue).toList())
                .build());
    }

    @Override
    public synchronized void getDashboard(GetDashboardRequest request, StreamObserver<Dashboard> observer) {
        ApiError.respond(observer, () -> find(request.getName()));
    }

    @Override
    public synchronized void createDashboard(CreateDashboardRequest request, StreamObserver<Dashboard> observer) {
        ApiError.respond(observer, () -> {
            Dashboard d = request.getDashboard();
            if (d.getDisplayName().isEmpty()) {
                throw ApiError.invalidArgument("dashboard.display_name", "A dashboard needs a display name.");
            }
            String prefix = request.getParent() + "/dashboards/";
            String name = d.getName().isEmpty() ? prefix + UUID.randomUUID() : d.getName();
            if (!name.startsWith(prefix) || name.length() == prefix.length()) {
                throw ApiError.invalidValue("dashboard.name", d.getName(), "The dashboard's name must be " + prefix + "ID.");
            }
            if (dashboards.containsKey(name)) {
                throw ApiError.alreadyExists("Dashboard " + name + " already exists.");
            }
            Dashboard stored = d.toBuilder().setName(name).setEtag(etag()).build();
            if (!request.getValidateOnly()) {
                dashboards.put(name, stored);
            }
            return stored;
        });
    }

    @Override
    public synchronized void updateDashboard(UpdateDashboardRequest request, StreamObserver<Dashboard> observer) {
        ApiError.respond(observer, () -> {
            Dashboard d = request.getDashboard();
            Dashboard now = find(d.getName());
            if (!d.getEtag().isEmpty() && !d.getEtag().equals(now.getEtag())) {
                throw ApiError.aborted("Dashboard " + d.getName() + " was changed since it was read (etag " + d.getEtag()
                        + ", now " + now.getEtag() + "); read it again and retry.");
            }
            if (d.getDisplayName().isEmpty()) {
                throw ApiError.invalidArgument("dashboard.display_name", "A dashboard needs a display name.");
            }
            Dashboard stored = d.toBuilder().setEtag(etag()).build();
            if (!request.getValidateOnly()) {
                dashboards.put(d.getName(), stored);
            }
            return stored;
        });
    }

    @Override
    public synchronized void deleteDashboard(DeleteDashboardRequest request, StreamObserver<Empty> observer) {
        ApiError.respond(observer, () -> {
            find(request.getName());
            dashboards.remove(request.getName());
            return Empty.getDefaultInstance();
        });
    }

    private Dashboard find(String name) {
        Dashboard d = dashboards.get(name);
        if (d == null) {
            throw ApiError.notFound("Dashboard " + name + " does not exist.");
        }
        return d;
    }

    private static String etag() {
        return UUID.randomUUID().toString().replace("-", "");
    }
}
