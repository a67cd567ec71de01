package io.sandboxops.app.console.sessions;

import io.sandboxops.app.console.dialog.ErrorMessages;
import io.sandboxops.app.console.environment.ConsoleEnvironment;
import io.sandboxops.app.console.environment.Workspace;
import io.sandboxops.app.console.environment.WriteGuard;
import io.sandboxops.app.console.status.StatusLine;
import io.sandboxops.app.console.task.BackgroundTask;
import io.sandboxops.app.console.task.RefreshGate;
import io.sandboxops.app.console.task.TaskExecutor;
import io.sandboxops.app.console.task.TaskHandle;
import io.sandboxops.app.env.PoolText;
import io.sandboxops.core.api.PoolStatus;
import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxBackend;
import io.sandboxops.core.api.SandboxNotFoundException;
import io.sandboxops.core.api.SandboxSpec;
import io.sandboxops.core.api.SandboxSummary;
import io.sandboxops.core.api.SessionInfo;
import io.sandboxops.core.api.SweepResult;
import io.sandboxops.core.env.ControlCharacters;
import io.sandboxops.core.env.Environment;
import io.sandboxops.core.env.Secrets;
import io.sandboxops.core.rollout.BackendChoice;
import io.sandboxops.core.rollout.ControlPlane;
import io.sandboxops.core.rollout.RolloutSettings;
import io.sandboxops.core.rollout.RolloutStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.beans.value.ObservableValue;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.transformation.FilteredList;
import javafx.collections.transformation.SortedList;

/**
 * The sessions table: every sandbox of every backend that answered, refreshed on a timer, with filter and
 * sort; create (on a chosen backend, or on the one the environment's rollout rule picks for a sticky key), close,
 * and clean up all but the selected one; and the session the workspace views work on.
 */
public final class SessionsViewModel {
    /** How often the table follows the backends. */
    public static final Duration REFRESH_PERIOD = Duration.ofSeconds(4);
    /**
     * A session's cwd and last command cost a call into its sandbox; with hundreds of sessions they are
     * fetched again only this often (the selected session's on every refresh).
     */
    static final Duration DETAILS_MAX_AGE = Duration.ofSeconds(20);
    static final int MAX_DETAILS_PER_REFRESH = 25;
    /**
     * The create choice that lets the environment's rollout pick the backend, as the agent backend would for a
     * session of the sticky key: offered when the environment's rollout service can be read.
     */
    public static final String BY_ROLLOUT_RULE = "by rollout rule";

    private final TaskExecutor executor;
    private final StatusLine status;
    private final WriteGuard guard;
    private final ObservableValue<Workspace> workspace;
    private final Clock clock;

    private final ObservableList<SessionRow> rows = FXCollections.observableArrayList();
    private final FilteredList<SessionRow> filtered = new FilteredList<>(rows);
    private final SortedList<SessionRow> sorted = new SortedList<>(filtered);
    private final StringProperty filter = new SimpleStringProperty(this, "filter", "");
    private final ObservableList<String> backendNames = FXCollections.observableArrayList();
    private final ObjectProperty<String> createBackend = new SimpleObjectProperty<>(this, "createBackend");
    private final ObjectProperty<SessionRow> selected = new SimpleObjectProperty<>(this, "selected");
    private final ReadOnlyObjectWrapper<SessionHandle> openSession = new ReadOnlyObjectWrapper<>(this, "openSession");
    private final ObservableList<SessionHandle> openSessions = FXCollections.observableArrayList();
    // One read-only view, kept: a view made per call listens to the list weakly and would lose its listeners.
    private final ObservableList<SessionHandle> openSessionsView = FXCollections.unmodifiableObservableList(openSessions);
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(this, "busy");
    private final ReadOnlyStringWrapper placeholder = new ReadOnlyStringWrapper(this, "placeholder", "");
    private final ReadOnlyStringWrapper poolSummary = new ReadOnlyStringWrapper(this, "poolSummary", "");
    private final ReadOnlyStringWrapper poolDetails = new ReadOnlyStringWrapper(this, "poolDetails", "");
    private final ReadOnlyBooleanWrapper listed = new ReadOnlyBooleanWrapper(this, "listed");
    private final StringProperty stickyKey = new SimpleStringProperty(this, "stickyKey", System.getProperty("user.name", ""));
    private final ReadOnlyStringWrapper ruleChoice = new ReadOnlyStringWrapper(this, "ruleChoice", "");
    private final ReadOnlyBooleanWrapper ruleChoiceUnavailable = new ReadOnlyBooleanWrapper(this, "ruleChoiceUnavailable");
    private final BooleanBinding byRolloutRule = createBackend.isEqualTo(BY_ROLLOUT_RULE);
    private final RefreshGate refreshing = new RefreshGate(Duration.ofSeconds(60));

    // Clients used only to read each session's details; touched by one refresh at a time, off the UI thread.
    private final Map<String, Sandbox> detailClients = new ConcurrentHashMap<>();
    private final Map<String, Instant> detailsFetchedAt = new ConcurrentHashMap<>();
    private final ReadOnlyStringWrapper staleNote = new ReadOnlyStringWrapper(this, "staleNote", "");
    private LastKnownSessions lastKnown;
    private ObservableValue<ConsoleEnvironment> opening;
    private List<LastKnownSessions.Session> lastSaved = List.of();
    private TaskHandle timer = TaskHandle.DONE;
    private long openGeneration;
    private String selectWhenListed;

    public SessionsViewModel(TaskExecutor executor, StatusLine status, WriteGuard guard, ObservableValue<Workspace> workspace) {
        this(executor, status, guard, workspace, Clock.systemUTC());
    }

    SessionsViewModel(TaskExecutor executor, StatusLine status, WriteGuard guard, ObservableValue<Workspace> workspace, Clock clock) {
        this.executor = executor;
        this.status = status;
        this.guard = guard;
        this.workspace = workspace;
        this.clock = clock;
        filtered.predicateProperty().bind(Bindings.createObjectBinding(() -> row -> row.matches(filter.get()), filter));
        selected.addListener((obs, old, now) -> openSelected(now));
        workspace.addListener((obs, old, now) -> onWorkspaceChanged(old, now));
        onWorkspaceChanged(null, workspace.getValue());
    }

    /**
     * Shows the sessions {@code environment} listed last while it opens, marked as stale, and remembers each live list
     * in {@code store} for the next start.
     */
    public void rememberIn(LastKnownSessions store, ObservableValue<ConsoleEnvironment> environment) {
        this.lastKnown = store;
        this.opening = environment;
        if (workspace.getValue() == null) {
            showLastKnown();
        }
    }

    private void showLastKnown() {
        staleNote.set("");
        ConsoleEnvironment environment = opening == null ? null : opening.getValue();
        if (lastKnown == null || environment == null) {
            return;
        }
        // A few hundred bytes read on this thread, as the preferences are: the list is then in the first frame.
        lastKnown.load(environment.name()).ifPresent(snapshot -> {
            Instant now = clock.instant();
            List<SessionRow> known = new ArrayList<>();
            for (LastKnownSessions.Session s : snapshot.sessions()) {
                SessionRow row = new SessionRow(s.id(), s.backend(), s.created(), s.state());
                row.update(s.state(), now);
                known.add(row);
            }
            rows.setAll(known);
            lastSaved = snapshot.sessions();
            staleNote.set("Last known at " + shortTime(snapshot.savedAt(), now) + " — connecting…");
        });
    }

    private String shortTime(Instant at, Instant now) {
        java.time.ZoneId zone = clock.getZone();
        String pattern = Duration.between(at, now).compareTo(Duration.ofHours(20)) < 0 ? "HH:mm" : "yyyy-MM-dd HH:mm";
        return java.time.format.DateTimeFormatter.ofPattern(pattern).withZone(zone).format(at);
    }

    /** Remembers the live list when it differs from what was remembered last: off the UI thread, a failure only logged. */
    private void rememberListed(Workspace ws) {
        if (lastKnown == null) {
            return;
        }
        List<LastKnownSessions.Session> now = rows.stream()
                .map(r -> new LastKnownSessions.Session(r.id(), r.backend(), r.state(), r.created())).toList();
        if (now.equals(lastSaved)) {
            return;
        }
        lastSaved = now;
        LastKnownSessions store = lastKnown;
        String environment = ws.environment().name();
        LastKnownSessions.Snapshot snapshot = new LastKnownSessions.Snapshot(clock.instant(), now);
        executor.execute(BackgroundTask.ofRunnable("remember the sessions of " + environment, () -> store.save(environment, snapshot))
                .onFailure(e -> org.slf4j.LoggerFactory.getLogger(SessionsViewModel.class)
                        .warn("could not remember the sessions of {}: {}", environment, e.toString())));
    }

    private void onWorkspaceChanged(Workspace old, Workspace now) {
        // The same environment again, with more of it open (the emulator joined the Docker engine): the rows stay until
        // the next listing updates them, rather than blinking out.
        boolean grown = old != null && now != null && old.environment().equals(now.environment()) && !now.backends().isEmpty();
        listed.set(false);
        selected.set(null);
        releaseAll();
        if (!grown) {
            rows.clear();
        }
        closeDetailClients();
        List<String> names = now == null ? List.of() : List.copyOf(now.backends().keySet());
        backendNames.setAll(names);
        if (!names.isEmpty() && now.controlPlane().isPresent()) {
            backendNames.add(BY_ROLLOUT_RULE);
        }
        createBackend.set(names.isEmpty() ? null : names.get(0));
        ruleChoice.set("");
        ruleChoiceUnavailable.set(false);
        poolSummary.set("");
        poolDetails.set("");
        if (now == null) {
            placeholder.set("Opening the environment…");
            showLastKnown();
        } else if (names.isEmpty()) {
            placeholder.set("No sandbox backend answers in \"" + now.environment().name() + "\": see the status bar for why.");
            staleNote.set("");
        } else {
            placeholder.set("No sessions yet. Create one with the + button.");
            refresh();
        }
    }

    /** Starts following the backends on a timer. */
    public void start() {
        timer.cancel();
        timer = executor.every(REFRESH_PERIOD, this::refresh);
    }

    /** Stops the timer and releases every sandbox client this view model opened. */
    public void dispose() {
        timer.cancel();
        selected.set(null);
        releaseAll();
        closeDetailClients();
    }

    /**
     * Lists the sessions again; a refresh already under way makes this one a no-op. The sandboxes are listed
     * (one cheap call per backend) and shown at once; then the details of a bounded number of sessions are
     * read, so a thousand sessions appear immediately and their details fill in over a few refreshes.
     */
    public void refresh() {
        Workspace ws = workspace.getValue();
        if (ws == null || ws.backends().isEmpty()) {
            return;
        }
        long entered = refreshing.tryEnter();
        if (entered == 0) {
            return;
        }
        List<SandboxBackend> backends = List.copyOf(ws.backends().values());
        executor.execute(BackgroundTask.of("list sessions", context -> list(backends))
                .onSuccess(listing -> {
                    if (ws != workspace.getValue()) {
                        // Listed from a workspace since replaced: its rows would be another environment's, or fewer.
                        refreshing.exit(entered);
                        refresh();
                        return;
                    }
                    merge(listing);
                    staleNote.set("");
                    if (listing.failures().isEmpty()) {
                        rememberListed(ws);
                    }
                    listed.set(true);
                    readDetails(backends, entered);
                })
                .onFailure(e -> {
                    status.error("Could not list sessions: " + ErrorMessages.describe(e));
                    refreshing.exit(entered);
                }));
    }

    /** What one listing learned: the sandboxes, the warm pools, and what could not be read. */
    record Listing(List<SandboxSummary> sandboxes, List<PoolStatus> pools, List<String> failures) {
    }

    private Listing list(List<SandboxBackend> backends) {
        List<SandboxSummary> all = new ArrayList<>();
        List<PoolStatus> pools = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (SandboxBackend b : backends) {
            try {
                all.addAll(b.list());
            } catch (RuntimeException e) {
                failures.add(b.name() + ": " + ErrorMessages.describe(e));
            }
            try {
                pools.add(b.poolStatus());
            } catch (RuntimeException e) {
                failures.add(b.name() + " pool: " + ErrorMessages.describe(e));
            }
        }
        Set<String> listed = new java.util.HashSet<>();
        all.forEach(s -> listed.add(s.id()));
        detailClients.keySet().removeIf(id -> {
            if (listed.contains(id)) {
                return false;
            }
            Sandbox gone = detailClients.get(id);
            if (gone != null) {
                gone.close();
            }
            detailsFetchedAt.remove(id);
            return true;
        });
        return new Listing(all, pools, failures);
    }

    /** Sessions whose details are due: the selected one, then those never read, then the stalest. */
    private List<SessionRow> dueForDetails(Instant now) {
        SessionRow sel = selected.get();
        return rows.stream()
                .filter(SessionRow::isRunning)
                .filter(r -> r == sel || detailsFetchedAt.get(r.id()) == null || detailsFetchedAt.get(r.id()).plus(DETAILS_MAX_AGE).isBefore(now))
                .sorted(java.util.Comparator.comparing((SessionRow r) -> r != sel)
                        .thenComparing(r -> detailsFetchedAt.getOrDefault(r.id(), Instant.MIN)))
                .limit(MAX_DETAILS_PER_REFRESH)
                .toList();
    }

    private void readDetails(List<SandboxBackend> backends, long entered) {
        Instant now = clock.instant();
        List<SessionRow> due = dueForDetails(now);
        if (due.isEmpty()) {
            refreshing.exit(entered);
            return;
        }
        Map<String, SandboxBackend> byName = new HashMap<>();
        backends.forEach(b -> byName.put(b.name(), b));
        executor.execute(BackgroundTask.of("read session details", context -> {
                    Map<String, Optional<SessionInfo>> details = new LinkedHashMap<>();
                    for (SessionRow r : due) {
                        SandboxBackend backend = byName.get(r.backend());
                        if (backend == null) {
                            continue;
                        }
                        try {
                            Sandbox client = detailClients.computeIfAbsent(r.id(), backend::get);
                            details.put(r.id(), Optional.of(client.sessionInfo(r.id())));
                        } catch (SandboxNotFoundException e) {
                            // A session that has not run a command yet has no details, which is not a failure.
                            details.put(r.id(), Optional.empty());
                        } catch (RuntimeException e) {
                            // A sandbox going away between the listing and this read; the next listing will say so.
                            details.put(r.id(), Optional.empty());
                        }
                        detailsFetchedAt.put(r.id(), now);
                    }
                    return details;
                })
                .onSuccess(details -> rows.forEach(row -> {
                    Optional<SessionInfo> info = details.get(row.id());
                    if (info != null) {
                        info.ifPresentOrElse(
                                i -> row.updateDetails(i.lastCommand().map(Secrets::showCommand).orElse(""),
                                        ControlCharacters.escape(i.cwd())),
                                () -> row.updateDetails("", ""));
                    }
                }))
                .onFailure(e -> status.warn("Could not read session details: " + ErrorMessages.describe(e)))
                .onFinished(() -> refreshing.exit(entered)));
    }

    private void merge(Listing listing) {
        poolSummary.set(PoolText.summary(listing.pools()));
        poolDetails.set(PoolText.details(listing.pools()));
        Instant now = clock.instant();
        Map<String, SessionRow> existing = new HashMap<>();
        rows.forEach(r -> existing.put(r.id(), r));
        List<SessionRow> added = new ArrayList<>();
        Set<String> listed = new java.util.HashSet<>();
        for (SandboxSummary s : listing.sandboxes()) {
            listed.add(s.id());
            SessionRow row = existing.get(s.id());
            if (row == null) {
                row = new SessionRow(s.id(), s.backend(), s.createdAt(), s.state());
                added.add(row);
            }
            row.update(s.state(), now);
        }
        rows.removeIf(r -> !listed.contains(r.id()));
        rows.addAll(added);
        if (selectWhenListed != null && listed.contains(selectWhenListed)) {
            String id = selectWhenListed;
            selectWhenListed = null;
            rows.stream().filter(r -> r.id().equals(id)).findFirst().ifPresent(selected::set);
        }
        if (selected.get() != null && !listed.contains(selected.get().id())) {
            selected.set(null);
        }
        if (!listing.failures().isEmpty()) {
            status.warn("Some sessions could not be listed: " + String.join("; ", listing.failures()));
        }
    }

    // ---- the selected session ---------------------------------------------------------------------------

    /**
     * Shows the row's session: the client already open for it when it has a tab, else a new one, which then stays open
     * beside the others (a tab per session) until {@link #release} closes it; switching keeps every tab's client.
     */
    private void openSelected(SessionRow row) {
        long generation = ++openGeneration;
        Workspace ws = workspace.getValue();
        if (row == null || ws == null) {
            // A tab stays shown when its row goes (deselected, filtered out, a listing that missed it): closing the
            // tab is what ends it.
            if (ws == null || !openSessions.contains(openSession.get())) {
                openSession.set(null);
            }
            return;
        }
        Optional<SessionHandle> already = openSessions.stream().filter(h -> h.sessionId().equals(row.id())).findFirst();
        if (already.isPresent()) {
            openSession.set(already.get());
            return;
        }
        SandboxBackend backend = ws.backends().get(row.backend());
        if (backend == null) {
            status.error("The " + row.backend() + " backend of session " + row.id() + " does not answer in this environment.");
            return;
        }
        executor.execute(BackgroundTask.of("open session " + row.id(), context -> backend.get(row.id()))
                .onSuccess(sandbox -> {
                    boolean opened = openSessions.stream().anyMatch(h -> h.sessionId().equals(row.id()));
                    if (generation == openGeneration && !opened && workspace.getValue() == ws) {
                        SessionHandle handle = new SessionHandle(sandbox, row.id());
                        openSessions.add(handle);
                        openSession.set(handle);
                    } else {
                        // Another session was picked while this one opened, or it is open already.
                        sandbox.close();
                    }
                })
                .onFailure(e -> status.error("Could not open session " + row.id() + ": " + ErrorMessages.describe(e))));
    }

    /** Shows the session of an open tab again: selects its row, whose client is the tab's. */
    public void show(SessionHandle handle) {
        if (handle == null || handle == openSession.get()) {
            return;
        }
        Optional<SessionRow> row = rows.stream().filter(r -> r.id().equals(handle.sessionId())).findFirst();
        if (row.isPresent()) {
            selected.set(row.get());
        } else {
            // Not listed (filtered out, or gone): its tab still shows what it had.
            openSession.set(handle);
        }
    }

    /** Closes a session's tab: its client is released; the session itself keeps running. */
    public void release(SessionHandle handle) {
        if (!openSessions.remove(handle)) {
            return;
        }
        if (openSession.get() == handle) {
            openSession.set(null);
            if (selected.get() != null && selected.get().id().equals(handle.sessionId())) {
                selected.set(null);
            }
        }
        executor.execute(BackgroundTask.ofRunnable("close the client of " + handle.sessionId(), () -> handle.sandbox().close())
                // Closing a client only releases its connections; when that fails there is nothing left to do.
                .onFailure(e -> { }));
    }

    private void releaseAll() {
        List.copyOf(openSessions).forEach(this::release);
        openSession.set(null);
    }

    // ---- create, close, clean up ------------------------------------------------------------------------

    public BooleanBinding canCreateProperty() {
        return guard.writesAllowed().and(createBackend.isNotNull()).and(busy.not())
                .and(byRolloutRule.not().or(Bindings.createBooleanBinding(() -> !stickyKey.get().isBlank(), stickyKey)));
    }

    public BooleanBinding canCloseProperty() {
        return guard.writesAllowed().and(selected.isNotNull()).and(busy.not());
    }

    public void create() {
        Workspace ws = workspace.getValue();
        String backendName = createBackend.get();
        if (ws == null || backendName == null || !guard.approveRoutine("Create a session", "Create a session on " + backendName + "?")) {
            return;
        }
        if (BY_ROLLOUT_RULE.equals(backendName)) {
            createByRolloutRule(ws);
            return;
        }
        createOn(backendName, ws.backends().get(backendName));
    }

    /**
     * Asks the rollout rule ({@link BackendChoice#forService}) with the flag and percentage the service runs with now and
     * the sticky key, says which backend it picked and why, then creates the session there: what the agent backend
     * would do for a session of that key. A pick this environment has no backend for is said, and nothing is created.
     */
    private void createByRolloutRule(Workspace ws) {
        Optional<ControlPlane> plane = ws.controlPlane();
        String key = stickyKey.get() == null ? "" : stickyKey.get().trim();
        if (plane.isEmpty() || key.isEmpty()) {
            return;
        }
        ControlPlane cp = plane.get();
        Set<String> available = Set.copyOf(ws.backends().keySet());
        String project = ws.environment().coreDefinition().map(Environment::projectId).filter(p -> !p.isBlank()).orElse(ws.environment().name());
        busy.set(true);
        ruleChoiceUnavailable.set(false);
        ruleChoice.set("Reading the rollout of " + cp.rollout().service() + "…");
        executor.execute(BackgroundTask.of("choose a backend by the rollout rule", context -> pick(cp.rollout().status(), cp.rollout().service(), project, key, available))
                .onSuccess(pick -> {
                    if (ws != workspace.getValue()) {
                        busy.set(false);
                        return;
                    }
                    ruleChoice.set(pick.explanation());
                    SandboxBackend backend = ws.backends().get(pick.choice().backend());
                    if (backend == null) {
                        ruleChoiceUnavailable.set(true);
                        status.error(pick.explanation());
                        busy.set(false);
                        return;
                    }
                    busy.set(false);
                    createOn(pick.choice().backend(), backend);
                })
                .onFailure(e -> {
                    ruleChoiceUnavailable.set(true);
                    ruleChoice.set("The rollout rule could not be asked: " + ErrorMessages.describe(e) + ". No session was created.");
                    status.error(ruleChoice.get());
                    busy.set(false);
                }));
    }

    /** What the rule picked, in words, with what it was asked on. */
    record RulePick(BackendChoice choice, String explanation) {
    }

    static RulePick pick(RolloutStatus rollout, String service, String project, String key, Set<String> available) {
        BackendChoice choice = BackendChoice.forService(rollout, project, key);
        RolloutSettings settings = choice.settings();
        String why = "By the rollout rule, \"" + key + "\" gets " + choice.reason() + " — " + service + " runs with "
                + RolloutSettings.FLAG + "=" + settings.cloudRunEnabled() + ", " + settings.percentage() + " %";
        if (!available.contains(choice.backend())) {
            why += ". But this environment has no " + choice.backend() + " backend (it has " + String.join(", ", available.stream().sorted().toList())
                    + "): no session was created. Pick a backend yourself, or another key.";
        } else {
            why += ".";
        }
        return new RulePick(choice, why);
    }

    private void createOn(String backendName, SandboxBackend backend) {
        busy.set(true);
        status.info("Creating a " + backendName + " session…");
        executor.execute(BackgroundTask.of("create a session", context -> {
                    try (Sandbox created = backend.create(SandboxSpec.newBuilder().build())) {
                        return created.id();
                    }
                })
                .onSuccess(id -> {
                    status.info("Created session " + id + " on " + backendName + ".");
                    // Selected by the listing that first shows it: this one, or the timer's next.
                    selectWhenListed = id;
                    refresh();
                })
                .onFailure(e -> status.error("Could not create a session on " + backendName + ": " + ErrorMessages.describe(e)))
                .onFinished(() -> busy.set(false)));
    }

    /** Removes the selected session's sandbox, after confirmation. */
    public void closeSelected() {
        SessionRow row = selected.get();
        Workspace ws = workspace.getValue();
        if (row == null || ws == null || !guard.approve("Close session " + row.id(),
                "Close session " + row.id() + "? Its processes end and its sandbox with all its files is removed.", "Close session")) {
            return;
        }
        SandboxBackend backend = ws.backends().get(row.backend());
        busy.set(true);
        selected.set(null);
        openSessions.stream().filter(h -> h.sessionId().equals(row.id())).findFirst().ifPresent(this::release);
        executor.execute(BackgroundTask.ofRunnable("close session " + row.id(), () -> {
                    try (Sandbox sandbox = backend.get(row.id())) {
                        sandbox.destroy();
                    }
                })
                .onSuccess(v -> {
                    status.info("Closed session " + row.id() + ".");
                    rows.remove(row);
                })
                .onFailure(e -> status.error("Could not close session " + row.id() + ": " + ErrorMessages.describe(e)))
                .onFinished(() -> {
                    busy.set(false);
                    refresh();
                }));
    }

    /** Removes every session except the selected one, on every backend, after confirmation. */
    public void cleanupAllButSelected() {
        SessionRow keep = selected.get();
        Workspace ws = workspace.getValue();
        if (keep == null || ws == null) {
            return;
        }
        long others = rows.stream().filter(r -> r != keep).count();
        if (others == 0) {
            status.info("There is no other session to clean up.");
            return;
        }
        // Other people's sessions go too, on every backend: the count is typed, so a slip of the mouse cannot do it.
        if (!guard.approveByTyping("Clean up other sessions", "Remove " + others + " session" + (others == 1 ? "" : "s")
                + " on every backend, other people's included, and keep only " + keep.id()
                + "? Their processes end and their files are removed; this cannot be undone.", String.valueOf(others))) {
            return;
        }
        List<SandboxBackend> backends = List.copyOf(ws.backends().values());
        busy.set(true);
        executor.execute(BackgroundTask.of("clean up sessions", context -> {
                    List<String> removed = new ArrayList<>();
                    List<String> failed = new ArrayList<>();
                    for (SandboxBackend b : backends) {
                        SweepResult r = b.sweepOrphans(Duration.ZERO, Set.of(keep.id()));
                        removed.addAll(r.removed());
                        failed.addAll(r.failed());
                    }
                    return new SweepResult(removed, failed);
                })
                .onSuccess(r -> {
                    if (r.failed().isEmpty()) {
                        status.info("Removed " + r.removed().size() + " session" + (r.removed().size() == 1 ? "" : "s") + "; kept " + keep.id() + ".");
                    } else {
                        status.error("Removed " + r.removed().size() + ", could not remove " + r.failed().size() + ": " + String.join("; ", r.failed()));
                    }
                })
                .onFailure(e -> status.error("Could not clean up sessions: " + ErrorMessages.describe(e)))
                .onFinished(() -> {
                    busy.set(false);
                    refresh();
                }));
    }

    private void closeDetailClients() {
        detailClients.values().forEach(Sandbox::close);
        detailClients.clear();
        detailsFetchedAt.clear();
    }

    // ---- properties -------------------------------------------------------------------------------------

    /** The rows after filter; the view binds the sort order to its table's. */
    public SortedList<SessionRow> rows() {
        return sorted;
    }

    /** Every row, unfiltered. */
    public ObservableList<SessionRow> allRows() {
        return rows;
    }

    public StringProperty filterProperty() {
        return filter;
    }

    public ObservableList<String> backendNames() {
        return backendNames;
    }

    public ObjectProperty<String> createBackendProperty() {
        return createBackend;
    }

    public ObjectProperty<SessionRow> selectedProperty() {
        return selected;
    }

    /** The session shown: the selected row's, or an open tab's. */
    public ReadOnlyObjectProperty<SessionHandle> openSessionProperty() {
        return openSession.getReadOnlyProperty();
    }

    /** The sessions open as tabs, each with its own client, in the order they were opened. */
    public ObservableList<SessionHandle> openSessions() {
        return openSessionsView;
    }

    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    /** The sticky key the rollout rule is asked with: a user id; the OS user by default. */
    public StringProperty stickyKeyProperty() {
        return stickyKey;
    }

    /** Whether the create choice is {@link #BY_ROLLOUT_RULE}: the view then asks for the sticky key. */
    public BooleanBinding byRolloutRuleProperty() {
        return byRolloutRule;
    }

    /** Which backend the rollout rule picked for the last create, and why; empty before one. */
    public ReadOnlyStringProperty ruleChoiceProperty() {
        return ruleChoice.getReadOnlyProperty();
    }

    /** Set when the rule picked a backend this environment does not have, or could not be asked. */
    public ReadOnlyBooleanProperty ruleChoiceUnavailableProperty() {
        return ruleChoiceUnavailable.getReadOnlyProperty();
    }

    /**
     * The warm pools in one line, e.g. {@code Pool: Docker 2/2 idle · Cloud Run 1/1 idle · $0.0792/h}, refreshed with the
     * sessions; empty when no backend keeps a pool.
     */
    public ReadOnlyStringProperty poolSummaryProperty() {
        return poolSummary.getReadOnlyProperty();
    }

    /** Each pool's counts, cost per hour and the price it is computed at: the summary's tooltip. */
    public ReadOnlyStringProperty poolDetailsProperty() {
        return poolDetails.getReadOnlyProperty();
    }

    /** True once the open workspace's backends have been listed into the table (false again while another opens). */
    public ReadOnlyBooleanProperty listedProperty() {
        return listed.getReadOnlyProperty();
    }

    /** What the empty table says: why there is nothing, and what to do. */
    /** Set while the table shows the sessions listed at the last start ("Last known at 14:02 — connecting…"), else empty. */
    public ReadOnlyStringProperty staleNoteProperty() {
        return staleNote.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty placeholderProperty() {
        return placeholder.getReadOnlyProperty();
    }
}
