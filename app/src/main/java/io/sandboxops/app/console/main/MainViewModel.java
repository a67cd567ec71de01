package io.sandboxops.app.console.main;

import io.sandboxops.app.console.dialog.ErrorMessages;
import io.sandboxops.app.console.environment.ConsoleEnvironment;
import io.sandboxops.app.console.environment.EnvironmentsViewModel;
import io.sandboxops.app.console.environment.ServiceStatus;
import io.sandboxops.app.console.environment.Workspace;
import io.sandboxops.app.console.environment.WorkspaceOpener;
import io.sandboxops.app.console.status.StatusLine;
import io.sandboxops.app.console.task.BackgroundTask;
import io.sandboxops.app.console.task.TaskExecutor;
import java.util.List;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The window around the views: which environment is open, how its services are doing (the status bar), and
 * the theme. Switching environments closes the old workspace and opens the new one in the background.
 */
public final class MainViewModel {

    private final TaskExecutor executor;
    private final StatusLine status;
    private final EnvironmentsViewModel environments;
    private final WorkspaceOpener opener;
    private final ReadOnlyObjectWrapper<Workspace> workspace = new ReadOnlyObjectWrapper<>(this, "workspace");
    private final ObservableList<ServiceStatus> services = FXCollections.observableArrayList();
    private final ReadOnlyBooleanWrapper opening = new ReadOnlyBooleanWrapper(this, "opening");
    // Dark by default: the people this is for are often on call at night.
    private final BooleanProperty darkTheme = new SimpleBooleanProperty(this, "darkTheme", true);
    private long generation;

    public MainViewModel(TaskExecutor executor, StatusLine status, EnvironmentsViewModel environments, WorkspaceOpener opener) {
        this.executor = executor;
        this.status = status;
        this.environments = environments;
        this.opener = opener;
        environments.selectedProperty().addListener((obs, old, now) -> open(now));
    }

    /** Opens the selected environment; called once the window shows, and again on every switch. */
    public void start() {
        open(environments.selectedProperty().get());
    }

    private void open(ConsoleEnvironment environment) {
        long mine = ++generation;
        closeWorkspace();
        if (environment == null) {
            services.clear();
            return;
        }
        opening.set(true);
        services.setAll(List.of(ServiceStatus.starting("Docker"), ServiceStatus.starting("Emulator")));
        status.info("Opening " + environment.name() + "…");
        executor.execute(BackgroundTask.of("open the environment " + environment.name(), context -> opener.open(environment,
                        // What answers first (the Docker engine) is shown while the rest opens; the full workspace replaces it.
                        early -> executor.execute(BackgroundTask.of("show the first part of " + environment.name(), c -> early)
                                .onSuccess(ws -> {
                                    if (mine == generation && workspace.get() == null) {
                                        workspace.set(ws);
                                        services.setAll(ws.statuses());
                                    }
                                }))))
                .onSuccess(ws -> {
                    if (mine != generation) {
                        // The person switched again while this one opened.
                        // Nobody looks at that environment any more; a failure to close it has no one to tell.
                        executor.execute(BackgroundTask.ofRunnable("close " + environment.name(), ws::close).onFailure(e -> { }));
                        return;
                    }
                    workspace.set(ws);
                    services.setAll(ws.statuses());
                    // Say what is missing and why right in the status bar: the core's messages say what to do.
                    String unavailable = java.util.stream.Stream.concat(ws.statuses().stream().filter(st -> st.health() != ServiceStatus.Health.UP)
                            .map(st -> st.service() + " unavailable: " + st.detail()), environments.catalogProblem().stream())
                            .collect(java.util.stream.Collectors.joining("; "));
                    if (ws.backends().isEmpty()) {
                        status.warn("No sandbox backend answers in " + environment.name() + ", so no sessions can be shown. " + unavailable);
                    } else if (!unavailable.isEmpty()) {
                        status.warn("Opened " + environment.name() + ". " + unavailable);
                    } else {
                        status.info("Opened " + environment.name() + ".");
                    }
                })
                .onFailure(e -> {
                    if (mine == generation) {
                        services.clear();
                        status.error("Could not open " + environment.name() + ": " + ErrorMessages.describe(e));
                    }
                })
                .onFinished(() -> {
                    if (mine == generation) {
                        opening.set(false);
                    }
                }));
    }

    private void closeWorkspace() {
        Workspace old = workspace.get();
        workspace.set(null);
        if (old != null) {
            executor.execute(BackgroundTask.ofRunnable("close " + old.environment().name(), old::close)
                    .onFailure(e -> status.warn("Closing " + old.environment().name() + " failed: " + ErrorMessages.describe(e))));
        }
    }

    /** Closes the open workspace now, on this thread: the application is exiting. */
    public void shutdown() {
        generation++;
        Workspace old = workspace.get();
        workspace.set(null);
        if (old != null) {
            old.close();
        }
    }

    public EnvironmentsViewModel environments() {
        return environments;
    }

    public ReadOnlyObjectProperty<Workspace> workspaceProperty() {
        return workspace.getReadOnlyProperty();
    }

    public ObservableList<ServiceStatus> services() {
        return services;
    }

    public ReadOnlyBooleanProperty openingProperty() {
        return opening.getReadOnlyProperty();
    }

    public BooleanProperty darkThemeProperty() {
        return darkTheme;
    }

    public StatusLine status() {
        return status;
    }
}
