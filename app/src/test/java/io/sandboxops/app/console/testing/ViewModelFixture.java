package io.sandboxops.app.console.testing;

import io.sandboxops.app.console.environment.ConsoleEnvironment;
import io.sandboxops.app.console.environment.WriteGuard;
import io.sandboxops.app.console.sessions.SessionHandle;
import io.sandboxops.app.console.status.StatusLine;
import io.sandboxops.app.console.task.CurrentThreadTaskExecutor;
import io.sandboxops.core.env.Environment;
import java.time.Instant;
import javafx.beans.property.SimpleObjectProperty;

/** What a workspace view model needs, with no toolkit: a same-thread executor, recorded dialogs, one fake session. */
public final class ViewModelFixture {
    public final CurrentThreadTaskExecutor executor = new CurrentThreadTaskExecutor();
    public final RecordingDialogService dialogs = new RecordingDialogService();
    public final RecordingNotifier notifier = new RecordingNotifier();
    public final StatusLine status = new StatusLine();
    public final SimpleObjectProperty<ConsoleEnvironment> environment = new SimpleObjectProperty<>(ConsoleEnvironment.local());
    public final WriteGuard guard = new WriteGuard(environment, dialogs);
    public final FakeSandbox sandbox = new FakeSandbox("sbx-1", Instant.parse("2026-11-26T00:00:00Z"));
    public final SimpleObjectProperty<SessionHandle> session = new SimpleObjectProperty<>();

    public void openSession() {
        session.set(new SessionHandle(sandbox, sandbox.id()));
    }

    /** A production environment as the environments file defines it: its service, {@link #SERVICE}, is what is typed. */
    public void production() {
        environment.set(ConsoleEnvironment.of(new Environment("prod", Environment.Kind.GCP, "acme-prod", "europe-west1", SERVICE, null, null, null,
                true, false)));
    }

    public static final String SERVICE = "agent-backend";

    public void readOnly() {
        environment.set(new ConsoleEnvironment("audit", ConsoleEnvironment.Kind.GCP, false, true, "read-only"));
    }
}
