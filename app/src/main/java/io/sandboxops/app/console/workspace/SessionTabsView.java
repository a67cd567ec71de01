package io.sandboxops.app.console.workspace;

import io.sandboxops.app.console.shell.SessionConsoleView;
import io.sandboxops.app.console.terminal.SessionTerminalView;
import io.sandboxops.app.console.workspace.SessionTabsViewModel.SessionTab;
import java.util.HashMap;
import java.util.Map;
import javafx.collections.ListChangeListener;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.StackPane;

/**
 * The open sessions as a row of tabs, and the shown session's command view and terminal. Each session has its own
 * views, kept while another is shown, so the output, the scroll position, the history and the terminal's screen are
 * where they were when one comes back; only the shown session's views are in the window.
 */
public final class SessionTabsView extends TabPane {

    private final SessionTabsViewModel viewModel;
    private final StackPane consoleHost = new StackPane();
    private final StackPane terminalHost = new StackPane();
    private final Map<SessionTab, Tab> tabs = new HashMap<>();
    private final Map<SessionTab, SessionConsoleView> consoles = new HashMap<>();
    private final Map<SessionTab, SessionTerminalView> terminals = new HashMap<>();
    private boolean updating;

    public SessionTabsView(SessionTabsViewModel viewModel) {
        this.viewModel = viewModel;
        setId("openSessions");
        // Not the theme's "floating" tabs: they are 150 px wide whatever they say, which cuts a session's id.
        getStyleClass().add("session-strip");
        setTabClosingPolicy(TabClosingPolicy.ALL_TABS);
        consoleHost.setId("consoleHost");
        terminalHost.setId("terminalHost");
        viewModel.tabs().addListener((ListChangeListener<SessionTab>) change -> {
            while (change.next()) {
                change.getRemoved().forEach(this::removeTab);
                change.getAddedSubList().forEach(this::addTab);
            }
        });
        viewModel.tabs().forEach(this::addTab);
        getSelectionModel().selectedItemProperty().addListener((obs, old, now) -> {
            if (!updating && now != null) {
                viewModel.show((SessionTab) now.getUserData());
            }
        });
        viewModel.shownProperty().addListener((obs, old, now) -> showSession(now));
        showSession(viewModel.shownProperty().get());
    }

    private void addTab(SessionTab sessionTab) {
        Tab tab = new Tab(sessionTab.title());
        tab.setId("session-" + sessionTab.session().sessionId());
        tab.setUserData(sessionTab);
        tab.setTooltip(new Tooltip(sessionTab.session().sessionId() + " on " + sessionTab.session().backend()
                + ": its output, history and terminal stay here while you look at another session. Closing the tab leaves the session running."));
        tab.setOnCloseRequest(e -> {
            // The view model decides; the tab goes when its session's client is released.
            e.consume();
            viewModel.close(sessionTab);
        });
        tabs.put(sessionTab, tab);
        updating = true;
        try {
            getTabs().add(tab);
        } finally {
            updating = false;
        }
    }

    private void removeTab(SessionTab sessionTab) {
        Tab tab = tabs.remove(sessionTab);
        SessionConsoleView console = consoles.remove(sessionTab);
        SessionTerminalView terminal = terminals.remove(sessionTab);
        if (terminal != null) {
            terminal.dispose();
        }
        consoleHost.getChildren().remove(console);
        terminalHost.getChildren().remove(terminal);
        updating = true;
        try {
            getTabs().remove(tab);
        } finally {
            updating = false;
        }
    }

    private void showSession(SessionTab shown) {
        updating = true;
        try {
            if (shown == null) {
                getSelectionModel().clearSelection();
                consoleHost.getChildren().clear();
                terminalHost.getChildren().clear();
                return;
            }
            getSelectionModel().select(tabs.get(shown));
            consoleHost.getChildren().setAll(consoles.computeIfAbsent(shown, t -> new SessionConsoleView(t.console())));
            terminalHost.getChildren().setAll(terminals.computeIfAbsent(shown, t -> new SessionTerminalView(t.terminal())));
        } finally {
            updating = false;
        }
    }

    /** Where the shown session's command view goes: the Console tab. */
    public StackPane consoleHost() {
        return consoleHost;
    }

    /** Where the shown session's terminal goes: the Terminal tab. */
    public StackPane terminalHost() {
        return terminalHost;
    }

    /** Puts the keyboard in the shown session's terminal, when it has one open. */
    public void focusTerminal() {
        SessionTab shown = viewModel.shownProperty().get();
        if (shown != null && terminals.containsKey(shown)) {
            terminals.get(shown).focusTerminal();
        }
    }
}
