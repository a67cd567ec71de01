package io.sandboxops.app.console.shell;

import io.sandboxops.app.console.fx.Shortcut;
import io.sandboxops.app.console.fx.ViewLoader;
import javafx.application.Platform;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.ListChangeListener;
import javafx.fxml.FXML;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.Tooltip;
import javafx.scene.input.Clipboard;
import javafx.scene.control.skin.VirtualFlow;
import javafx.scene.input.ClipboardContent;
import javafx.scene.input.ScrollEvent;
import javafx.scene.text.Text;
import javafx.scene.text.TextFlow;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/** The session console: output above, the command line with its prompt below, the environment beside. */
public final class SessionConsoleView extends SplitPane {

    @FXML
    private ListView<ConsoleLine> outputList;
    @FXML
    private Label promptLabel;
    @FXML
    private TextField commandField;
    @FXML
    private CheckBox liveCheck;
    @FXML
    private Spinner<Integer> timeoutSpinner;
    @FXML
    private Button runButton;
    @FXML
    private Button stopButton;
    @FXML
    private Button clearButton;
    @FXML
    private ProgressIndicator runningIndicator;
    @FXML
    private Label exitLabel;
    @FXML
    private Label durationLabel;
    @FXML
    private ToggleButton revealToggle;
    @FXML
    private TableView<EnvVariable> envTable;
    @FXML
    private TableColumn<EnvVariable, String> envNameColumn;
    @FXML
    private TableColumn<EnvVariable, String> envValueColumn;

    private final SessionConsoleViewModel viewModel;
    /** Whether the last line is in view, so new output keeps it there. */
    private boolean following = true;
    /** New output arrived while following and the last line has not been seen on screen yet. */
    private boolean scrollPending;
    /** Layout passes left to bring the last line on screen; a view that is not shown never gets there. */
    private int scrollTries;
    private final Runnable followAfterLayout = this::followAfterLayout;

    public SessionConsoleView(SessionConsoleViewModel viewModel) {
        this.viewModel = viewModel;
        ViewLoader.load(this);
    }

    @FXML
    private void initialize() {
        outputList.setItems(viewModel.output());
        outputList.setCellFactory(list -> new OutputCell());
        outputList.setPlaceholder(new Label("Type a command below and press Enter."));
        outputList.getSelectionModel().setSelectionMode(javafx.scene.control.SelectionMode.MULTIPLE);
        outputList.setOnKeyPressed(e -> {
            if (Shortcut.COPY_LINES.matches(e)) {
                copySelectedLines();
            }
        });
        // Follow the output as a terminal does: new lines stay in view, unless one has scrolled up to read older ones.
        viewModel.output().addListener((ListChangeListener<ConsoleLine>) c -> {
            if (following && !viewModel.output().isEmpty()) {
                scrollPending = true;
                scrollTries = 20;
                Platform.runLater(() -> outputList.scrollTo(viewModel.output().size() - 1));
            }
        });
        // A scroll made before the layout pass that adds the new cells lands short of the end (more so on a busy
        // machine): after each pass, scroll again until the last line is on screen.
        outputList.sceneProperty().addListener((o, before, scene) -> {
            if (before != null) {
                before.removePostLayoutPulseListener(followAfterLayout);
            }
            if (scene != null) {
                scene.addPostLayoutPulseListener(followAfterLayout);
            }
        });
        // Only the person moves the view away from the end (wheel, scroll bar, keys); new output never does.
        outputList.addEventFilter(ScrollEvent.SCROLL, e -> Platform.runLater(this::updateFollowing));
        outputList.addEventFilter(javafx.scene.input.MouseEvent.MOUSE_RELEASED, e -> Platform.runLater(this::updateFollowing));
        outputList.addEventFilter(javafx.scene.input.KeyEvent.KEY_RELEASED, e -> Platform.runLater(this::updateFollowing));

        // A deep cwd is cut at its start (the end is where one is); the tooltip holds all of it.
        Tooltip cwd = new Tooltip();
        cwd.textProperty().bind(viewModel.cwdProperty());
        promptLabel.setTooltip(cwd);
        promptLabel.textProperty().bind(Bindings.createStringBinding(
                () -> viewModel.cwdProperty().get().isEmpty() ? "$" : viewModel.cwdProperty().get() + " $", viewModel.cwdProperty()));
        commandField.textProperty().bindBidirectional(viewModel.commandProperty());
        commandField.disableProperty().bind(viewModel.runningProperty());
        commandField.promptTextProperty().bind(Bindings.when(viewModel.writesAllowedProperty())
                .then("command (Enter runs it, Up/Down for history)").otherwise("read-only environment: commands cannot be run here"));
        commandField.setOnKeyPressed(e -> {
            if (Shortcut.RUN_COMMAND.matches(e)) {
                viewModel.run();
            } else if (Shortcut.HISTORY_UP.matches(e)) {
                viewModel.historyUp();
                commandField.end();
                e.consume();
            } else if (Shortcut.HISTORY_DOWN.matches(e)) {
                viewModel.historyDown();
                commandField.end();
                e.consume();
            }
        });
        viewModel.runningProperty().addListener((obs, was, now) -> {
            if (!now) {
                commandField.requestFocus();
            }
        });

        timeoutSpinner.setValueFactory(new SpinnerValueFactory.IntegerSpinnerValueFactory(1, 3600, viewModel.timeoutSecondsProperty().get(), 10));
        timeoutSpinner.setEditable(true);
        timeoutSpinner.getValueFactory().valueProperty().addListener((obs, old, now) -> {
            if (now != null) {
                viewModel.timeoutSecondsProperty().set(now);
            }
        });
        timeoutSpinner.setTooltip(new Tooltip("Seconds a command may run; then it is interrupted and the session keeps its state"));

        liveCheck.selectedProperty().bindBidirectional(viewModel.liveOutputProperty());
        liveCheck.disableProperty().bind(viewModel.runningProperty());
        liveCheck.setTooltip(new Tooltip("Show the output while the command runs, stdout and stderr interleaved as the interactive "
                + "shell gives them. Off: the output shows when it ends, stderr apart in red. Commands ending in & always run as background processes."));
        runButton.setGraphic(new FontIcon(Feather.PLAY));
        runButton.disableProperty().bind(viewModel.canRunProperty().not());
        runButton.setOnAction(e -> viewModel.run());
        stopButton.setGraphic(new FontIcon(Feather.SQUARE));
        stopButton.disableProperty().bind(viewModel.runningProperty().not().or(viewModel.stoppingProperty()));
        stopButton.setOnAction(e -> viewModel.stop());
        stopButton.setTooltip(new Tooltip(Shortcut.STOP_COMMAND.hint("Stop the running command") + "; the session keeps its cwd and exports"));
        setOnKeyPressed(e -> {
            if (Shortcut.STOP_COMMAND.matches(e) && viewModel.runningProperty().get()) {
                viewModel.stop();
            }
        });
        clearButton.setGraphic(new FontIcon(Feather.SLASH));
        clearButton.setTooltip(new Tooltip("Clear the output"));
        clearButton.setOnAction(e -> viewModel.clearOutput());
        runningIndicator.visibleProperty().bind(viewModel.runningProperty());

        exitLabel.textProperty().bind(Bindings.createStringBinding(() -> {
            Integer code = viewModel.exitCodeProperty().get();
            return viewModel.runningProperty().get() ? "running " + viewModel.elapsedProperty().get() : code == null ? "" : "exit " + code;
        }, viewModel.exitCodeProperty(), viewModel.runningProperty(), viewModel.elapsedProperty()));
        viewModel.exitCodeProperty().addListener((obs, old, code) -> {
            exitLabel.getStyleClass().removeAll("exit-ok", "exit-failed");
            if (code != null) {
                exitLabel.getStyleClass().add(code == 0 ? "exit-ok" : "exit-failed");
            }
        });
        durationLabel.textProperty().bind(viewModel.lastDurationProperty());

        revealToggle.selectedProperty().bindBidirectional(viewModel.revealSecretsProperty());
        revealToggle.graphicProperty().bind(Bindings.createObjectBinding(
                () -> new FontIcon(viewModel.revealSecretsProperty().get() ? Feather.EYE_OFF : Feather.EYE), viewModel.revealSecretsProperty()));
        revealToggle.textProperty().bind(Bindings.when(viewModel.revealSecretsProperty()).then("Hide secrets").otherwise("Reveal secrets"));
        envTable.setItems(viewModel.env());
        envTable.setPlaceholder(new Label("No environment yet: it is read after the first command."));
        envNameColumn.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().name()));
        envValueColumn.setCellValueFactory(c -> Bindings.createStringBinding(
                () -> c.getValue().shown(viewModel.revealSecretsProperty().get()), viewModel.revealSecretsProperty()));
    }

    private java.util.Optional<VirtualFlow<?>> flow() {
        return outputList.lookupAll(".virtual-flow").stream().filter(n -> n instanceof VirtualFlow<?>).<VirtualFlow<?>>map(n -> (VirtualFlow<?>) n).findFirst();
    }

    /** After a layout pass: scroll again while new output is pending and its last line is not on screen yet. */
    private void followAfterLayout() {
        if (!scrollPending) {
            return;
        }
        if (!following || lastLineVisible() || --scrollTries <= 0) {
            scrollPending = false;
        } else {
            outputList.scrollTo(viewModel.output().size() - 1);
        }
    }

    /** Following while the view shows the end of the output (or all of it). */
    private void updateFollowing() {
        flow().ifPresent(f -> following = f.getPosition() >= 0.999 || lastLineVisible());
    }

    /** For the tests, and to follow: whether the output's last line is on screen. */
    public boolean lastLineVisible() {
        int last = viewModel.output().size() - 1;
        return last < 0 || flow().map(f -> f.getLastVisibleCell() != null && f.getLastVisibleCell().getIndex() >= last).orElse(true);
    }

    private void copySelectedLines() {
        StringBuilder text = new StringBuilder();
        outputList.getSelectionModel().getSelectedItems().forEach(l -> text.append(l.text()).append('\n'));
        ClipboardContent content = new ClipboardContent();
        content.putString(text.toString());
        Clipboard.getSystemClipboard().setContent(content);
    }

    /**
     * A line of output, styled by what it is (stderr red, the command bold, the verdict green or red), and coloured where
     * the program coloured it.
     */
    private static final class OutputCell extends ListCell<ConsoleLine> {
        @Override
        protected void updateItem(ConsoleLine line, boolean empty) {
            super.updateItem(line, empty);
            getStyleClass().removeIf(c -> c.startsWith("line-"));
            if (empty || line == null) {
                setText(null);
                setGraphic(null);
                return;
            }
            getStyleClass().add("line-" + line.kind().name().toLowerCase());
            if (line.colours().isEmpty()) {
                setGraphic(null);
                setText(line.text().isEmpty() ? " " : line.text());
                return;
            }
            setText(null);
            setGraphic(coloured(line));
        }

        private static TextFlow coloured(ConsoleLine line) {
            TextFlow flow = new TextFlow();
            flow.getStyleClass().add("ansi-line");
            int at = 0;
            for (ConsoleLine.Colour c : line.colours()) {
                if (c.start() > at) {
                    flow.getChildren().add(run(line.text().substring(at, c.start()), null));
                }
                flow.getChildren().add(run(line.text().substring(c.start(), c.end()), c));
                at = c.end();
            }
            if (at < line.text().length()) {
                flow.getChildren().add(run(line.text().substring(at), null));
            }
            return flow;
        }

        private static Text run(String text, ConsoleLine.Colour colour) {
            Text t = new Text(text);
            t.getStyleClass().add("ansi");
            if (colour != null && colour.foreground() >= 0) {
                t.getStyleClass().add("ansi-fg-" + colour.foreground());
            }
            if (colour != null && colour.bold()) {
                t.getStyleClass().add("ansi-bold");
            }
            return t;
        }
    }
}
