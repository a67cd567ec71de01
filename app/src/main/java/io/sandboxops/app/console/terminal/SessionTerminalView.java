package io.sandboxops.app.console.terminal;

import com.techsenger.jeditermfx.core.TerminalColor;
import com.techsenger.jeditermfx.core.TextStyle;
import com.techsenger.jeditermfx.core.TtyConnector;
import com.techsenger.jeditermfx.core.model.TerminalTextBuffer;
import com.techsenger.jeditermfx.ui.JediTermFxWidget;
import com.techsenger.jeditermfx.ui.settings.DefaultSettingsProvider;
import io.sandboxops.app.console.fx.ViewLoader;
import javafx.application.Platform;
import javafx.fxml.FXML;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyEvent;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.StackPane;
import javafx.scene.text.Font;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * A session's terminal: a JediTermFX widget over the view model's connector. The widget does the terminal (xterm
 * escape sequences, colours, alternate screen, scrollback, selection, copy and paste); this view only puts it on screen,
 * keeps it across session switches (one view per session) and makes sure the keys reach it.
 */
public final class SessionTerminalView extends BorderPane {
    @FXML
    private Label messageLabel;
    @FXML
    private Button openButton;
    @FXML
    private Button closeButton;
    @FXML
    private StackPane host;
    @FXML
    private Label placeholder;

    private final SessionTerminalViewModel viewModel;
    private JediTermFxWidget widget;

    public SessionTerminalView(SessionTerminalViewModel viewModel) {
        this.viewModel = viewModel;
        ViewLoader.load(this);
    }

    @FXML
    private void initialize() {
        messageLabel.textProperty().bind(viewModel.messageProperty());
        Tooltip full = new Tooltip();
        full.textProperty().bind(viewModel.messageProperty());
        messageLabel.setTooltip(full);
        openButton.setGraphic(new FontIcon(Feather.TERMINAL));
        openButton.disableProperty().bind(viewModel.canOpenProperty().not());
        openButton.textProperty().bind(javafx.beans.binding.Bindings.when(viewModel.stateProperty().isEqualTo(SessionTerminalViewModel.State.ENDED))
                .then("New terminal").otherwise("Open terminal"));
        openButton.setTooltip(new Tooltip("Start a bash on a pseudo-terminal in the session's sandbox, in its cwd with its exported variables"));
        openButton.setOnAction(e -> viewModel.open());
        closeButton.setGraphic(new FontIcon(Feather.X));
        closeButton.disableProperty().bind(viewModel.stateProperty().isNotEqualTo(SessionTerminalViewModel.State.OPEN));
        closeButton.setTooltip(new Tooltip("End the terminal's shell (SIGHUP); the session keeps running"));
        closeButton.setOnAction(e -> viewModel.close());
        viewModel.connectorProperty().addListener((obs, old, now) -> show(now));
        show(viewModel.connectorProperty().get());
    }

    private void show(TtyConnector connector) {
        if (connector == null) {
            if (viewModel.stateProperty().get() != SessionTerminalViewModel.State.ENDED) {
                disposeWidget();
                host.getChildren().setAll(placeholder);
            }
            return;
        }
        disposeWidget();
        widget = new JediTermFxWidget(SessionTerminalViewModel.OPENING_COLUMNS, SessionTerminalViewModel.OPENING_ROWS, new Settings());
        widget.setTtyConnector(connector);
        widget.addListener(w -> Platform.runLater(viewModel::ended));
        var pane = widget.getPane();
        pane.setId("terminalWidget");
        keepKeysInTheTerminal(widget);
        host.getChildren().setAll(pane);
        widget.start();
        // Once the pane is in the window: a node outside it cannot take the focus.
        Platform.runLater(this::focusTerminal);
    }

    /**
     * Ctrl and a letter is the program's (Ctrl-C interrupts, Ctrl-L clears, Ctrl-R searches the history), not the window's
     * shortcut and not a plain letter: the widget reads control characters from what the platform reports as the key's
     * text, which not every platform fills in, so the control byte is sent here, before the widget and before the window's
     * accelerators (which only act on keys nobody consumed). Copy and paste are Ctrl+Shift+C and V, as in other terminals
     * (the widget's own); Ctrl with a digit is left to the window (its tabs). A modifier key pressed on its own sends
     * nothing.
     */
    private void keepKeysInTheTerminal(JediTermFxWidget w) {
        javafx.scene.Node canvas = w.getTerminalPanel().getCanvas();
        boolean[] swallowTyped = new boolean[1];
        w.getPane().addEventFilter(KeyEvent.KEY_PRESSED, e -> {
            swallowTyped[0] = false;
            if (e.getTarget() != canvas) {
                return;
            }
            if (e.getCode().isModifierKey()) {
                e.consume();
                return;
            }
            Byte control = controlByte(e);
            if (control == null) {
                return;
            }
            w.getTerminalPanel().getTerminalOutputStream().sendBytes(new byte[] {control}, true);
            e.consume();
            swallowTyped[0] = true;
        });
        w.getPane().addEventFilter(KeyEvent.KEY_TYPED, e -> {
            if (swallowTyped[0] && e.getTarget() == canvas) {
                swallowTyped[0] = false;
                e.consume();
            }
        });
    }

    /** The byte Ctrl and this key stands for in a terminal ({@code ^A} is 1, {@code ^[} is ESC), or null. */
    static Byte controlByte(KeyEvent e) {
        if (!e.isControlDown() || e.isAltDown() || e.isMetaDown() || e.isShiftDown()) {
            return null;
        }
        KeyCode code = e.getCode();
        if (code.isLetterKey()) {
            return (byte) (code.getChar().charAt(0) - 'A' + 1);
        }
        return switch (code) {
            case OPEN_BRACKET -> (byte) 0x1b;
            case BACK_SLASH -> (byte) 0x1c;
            case CLOSE_BRACKET -> (byte) 0x1d;
            default -> null;
        };
    }

    /** Puts the keyboard in the terminal, when one is open. */
    public void focusTerminal() {
        if (widget != null) {
            widget.getTerminalPanel().getCanvas().requestFocus();
        }
    }

    /** For the tests: what the widget holds, cell by cell, colours included. */
    public TerminalTextBuffer buffer() {
        return widget == null ? null : widget.getTerminalTextBuffer();
    }

    /** The session's tab was closed: the widget's threads end. */
    public void dispose() {
        disposeWidget();
    }

    private void disposeWidget() {
        if (widget != null) {
            widget.close();
            widget = null;
        }
    }

    /** The console's monospace font, light on dark as terminals are, and a long scrollback. */
    private static final class Settings extends DefaultSettingsProvider {
        @Override
        public TerminalColor getDefaultForeground() {
            return TerminalColor.rgb(0xc9, 0xd1, 0xd9);
        }

        @Override
        public TerminalColor getDefaultBackground() {
            return TerminalColor.rgb(0x0d, 0x11, 0x17);
        }

        // Deprecated in the interface, yet what the 1.0.0 widget paints its background and text from.
        @Override
        @SuppressWarnings("deprecation")
        public TextStyle getDefaultStyle() {
            return new TextStyle(getDefaultForeground(), getDefaultBackground());
        }

        @Override
        public Font getTerminalFont() {
            return Font.font("DejaVu Sans Mono", getTerminalFontSize());
        }

        @Override
        public float getTerminalFontSize() {
            return 13;
        }

        @Override
        public int getBufferMaxLinesCount() {
            return 10_000;
        }
    }
}
