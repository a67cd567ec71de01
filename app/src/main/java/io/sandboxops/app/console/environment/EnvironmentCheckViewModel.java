package io.sandboxops.app.console.environment;

import io.sandboxops.app.console.task.BackgroundTask;
import io.sandboxops.app.console.task.TaskExecutor;
import io.sandboxops.core.preflight.PreflightCheck;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * "Check environment": the same preflight as {@code sandboxctl env check}, run in the background; each check shows as a
 * row the moment it finishes, then the summary says whether a rollout step may follow.
 */
public final class EnvironmentCheckViewModel {
    /** One finished check as the list shows it. */
    public record CheckRow(String name, String outcome, String found, String fix, long elapsedMillis) {
        public String describe() {
            return outcome + "  " + name + "  (" + elapsedMillis + " ms)  " + found + (fix.isEmpty() ? "" : "\n    → " + fix);
        }
    }

    private final TaskExecutor executor;
    private final Supplier<Optional<EnvironmentCheck>> check;
    private final BooleanSupplier approve;
    private final ObservableList<CheckRow> rows = FXCollections.observableArrayList();
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper(this, "running");
    private final ReadOnlyBooleanWrapper passed = new ReadOnlyBooleanWrapper(this, "passed");
    private final ReadOnlyStringWrapper summary = new ReadOnlyStringWrapper(this, "summary", "");

    /**
     * @param check   the open environment's preflight, empty when it has none (no project and service, not reachable)
     * @param approve asked before each run: the canary creates a session, a write (refused when read-only, the service
     *                name typed in production, as {@code sandboxctl env check} asks)
     */
    public EnvironmentCheckViewModel(TaskExecutor executor, Supplier<Optional<EnvironmentCheck>> check, BooleanSupplier approve) {
        this.executor = executor;
        this.check = check;
        this.approve = approve;
    }

    public void check() {
        if (running.get()) {
            return;
        }
        Optional<EnvironmentCheck> preflight = check.get();
        rows.clear();
        passed.set(false);
        if (preflight.isEmpty()) {
            summary.set("This environment cannot be checked: it has no project, region and service, or did not open. "
                    + "Switch to it again, or define it in ~/.sandbox-ops/environments.json.");
            return;
        }
        if (!approve.getAsBoolean()) {
            summary.set("Not checked: the canary session was not approved.");
            return;
        }
        running.set(true);
        summary.set("Checking… (the canary starts a real session; this takes a while)");
        List<PreflightCheck> finished = new CopyOnWriteArrayList<>();
        executor.execute(BackgroundTask.of("check the environment", context -> preflight.get().run(c -> {
            finished.add(c);
            context.progress(finished.size(), 0);
        })).onProgress((done, total) -> show(finished)).onSuccess(outcome -> {
            show(outcome.report().checks());
            passed.set(outcome.report().passed());
            summary.set(outcome.report().summary() + outcome.recordProblem().map(p -> "; NOT recorded: " + p).orElse("; recorded"));
        }).onFailure(e -> summary.set("The check could not run: " + e.getMessage())).onFinished(() -> running.set(false)));
    }

    private void show(List<PreflightCheck> checks) {
        for (int i = rows.size(); i < checks.size(); i++) {
            PreflightCheck c = checks.get(i);
            rows.add(new CheckRow(c.name(), c.outcome().name(), c.found(), c.fix(), c.elapsed().toMillis()));
        }
    }

    public ObservableList<CheckRow> rows() {
        return FXCollections.unmodifiableObservableList(rows);
    }

    public ReadOnlyBooleanProperty runningProperty() {
        return running.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty passedProperty() {
        return passed.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty summaryProperty() {
        return summary.getReadOnlyProperty();
    }
}
