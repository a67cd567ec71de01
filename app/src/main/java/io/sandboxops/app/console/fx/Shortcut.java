package io.sandboxops.app.console.fx;

import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.scene.input.KeyEvent;

/**
 * Every keyboard shortcut of the console, in one place: the window's accelerators and the menu are installed from
 * here, the views match their keys against here, and the F1 sheet lists {@link #values()}, so the sheet cannot drift
 * from what the keys do.
 */
public enum Shortcut {
    HELP(new KeyCodeCombination(KeyCode.F1), "Window", "Show this list of shortcuts"),
    QUIT(new KeyCodeCombination(KeyCode.Q, KeyCombination.SHORTCUT_DOWN), "Window", "Quit the console"),
    PAGE_SESSIONS(new KeyCodeCombination(KeyCode.DIGIT1, KeyCombination.ALT_DOWN), "Window", "Show the sessions"),
    PAGE_ROLLOUT(new KeyCodeCombination(KeyCode.DIGIT2, KeyCombination.ALT_DOWN), "Window", "Show the rollout"),
    PAGE_METRICS(new KeyCodeCombination(KeyCode.DIGIT3, KeyCombination.ALT_DOWN), "Window", "Show the metrics"),
    PAGE_LOGS(new KeyCodeCombination(KeyCode.DIGIT4, KeyCombination.ALT_DOWN), "Window", "Show the logs and audit"),
    SESSION_CONSOLE(new KeyCodeCombination(KeyCode.DIGIT1, KeyCombination.SHORTCUT_DOWN), "Window", "Show the session's console"),
    SESSION_PROCESSES(new KeyCodeCombination(KeyCode.DIGIT2, KeyCombination.SHORTCUT_DOWN), "Window", "Show the session's processes"),
    SESSION_FILES(new KeyCodeCombination(KeyCode.DIGIT3, KeyCombination.SHORTCUT_DOWN), "Window", "Show the session's files"),
    SESSION_TERMINAL(new KeyCodeCombination(KeyCode.DIGIT4, KeyCombination.SHORTCUT_DOWN), "Window", "Show the session's terminal"),
    REFRESH(new KeyCodeCombination(KeyCode.F5), "Window", "Refresh the sessions"),
    NEW_SESSION(new KeyCodeCombination(KeyCode.N, KeyCombination.SHORTCUT_DOWN), "Window", "Create a session"),
    FILTER_SESSIONS(new KeyCodeCombination(KeyCode.F, KeyCombination.SHORTCUT_DOWN), "Window", "Filter the sessions"),
    COMMAND_LINE(new KeyCodeCombination(KeyCode.L, KeyCombination.SHORTCUT_DOWN), "Window", "Go to the command line"),
    CLEAR_FILTER(new KeyCodeCombination(KeyCode.ESCAPE), "Sessions filter", "Clear the filter"),
    RUN_COMMAND(new KeyCodeCombination(KeyCode.ENTER), "Command line", "Run the command"),
    HISTORY_UP(new KeyCodeCombination(KeyCode.UP), "Command line", "The previous command"),
    HISTORY_DOWN(new KeyCodeCombination(KeyCode.DOWN), "Command line", "The next command"),
    STOP_COMMAND(new KeyCodeCombination(KeyCode.ESCAPE), "Console", "Stop the running command"),
    COPY_LINES(new KeyCodeCombination(KeyCode.C, KeyCombination.SHORTCUT_DOWN), "Console output", "Copy the selected lines"),
    OPEN_FILE(new KeyCodeCombination(KeyCode.ENTER), "File tree", "Open the selected file"),
    RENAME_FILE(new KeyCodeCombination(KeyCode.F2), "File tree", "Rename the selected file or folder"),
    DELETE_FILE(new KeyCodeCombination(KeyCode.DELETE), "File tree", "Delete the selected file or folder"),
    SAVE_FILE(new KeyCodeCombination(KeyCode.S, KeyCombination.SHORTCUT_DOWN), "Editor", "Save the file"),
    RUN_QUERY(new KeyCodeCombination(KeyCode.ENTER, KeyCombination.SHORTCUT_DOWN), "Logs query", "Run the query");

    private final KeyCombination combination;
    private final String where;
    private final String action;

    Shortcut(KeyCombination combination, String where, String action) {
        this.combination = combination;
        this.where = where;
        this.action = action;
    }

    public KeyCombination combination() {
        return combination;
    }

    /** Where the key works: "Window" everywhere, else the control that must have the focus. */
    public String where() {
        return where;
    }

    public String action() {
        return action;
    }

    /** The keys as this platform writes them, e.g. "Ctrl+S" (or "⌘S" on a Mac). */
    public String keys() {
        return combination.getDisplayText();
    }

    public boolean matches(KeyEvent event) {
        return combination.match(event);
    }

    /** For tooltips: "Save the file (Ctrl+S)". */
    public String hint(String text) {
        return text + " (" + keys() + ")";
    }
}
