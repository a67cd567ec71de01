package io.sandboxops.app.console.dialog;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import javafx.geometry.Pos;
import javafx.scene.control.Alert;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Label;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;
import javafx.stage.Window;

/** The dialogs of the running application, owned by its main window. */
public final class FxDialogService implements DialogService {

    private final Window owner;

    public FxDialogService(Window owner) {
        this.owner = owner;
    }

    @Override
    public void showError(String title, String message) {
        Alert alert = new Alert(Alert.AlertType.ERROR, message, ButtonType.OK);
        prepare(alert, title);
        alert.showAndWait();
    }

    @Override
    public void showException(String title, Throwable error) {
        Alert alert = new Alert(Alert.AlertType.ERROR, ErrorMessages.describe(error), ButtonType.OK);
        prepare(alert, title);
        StringWriter trace = new StringWriter();
        error.printStackTrace(new PrintWriter(trace));
        TextArea details = new TextArea(trace.toString());
        details.setEditable(false);
        details.setWrapText(false);
        details.setPrefRowCount(16);
        details.getStyleClass().add("monospace");
        alert.getDialogPane().setExpandableContent(new VBox(6, new Label("Details, for a bug report:"), details));
        alert.showAndWait();
    }

    @Override
    public boolean confirm(String title, String message, String confirmLabel) {
        ButtonType ok = new ButtonType(confirmLabel, ButtonBar.ButtonData.OK_DONE);
        Alert alert = new Alert(Alert.AlertType.CONFIRMATION, message, ok, ButtonType.CANCEL);
        prepare(alert, title);
        return alert.showAndWait().filter(ok::equals).isPresent();
    }

    @Override
    public boolean confirmByTyping(String title, String message, String expected) {
        ButtonType ok = new ButtonType("Confirm", ButtonBar.ButtonData.OK_DONE);
        Alert alert = new Alert(Alert.AlertType.WARNING, null, ok, ButtonType.CANCEL);
        prepare(alert, title);
        TextField typed = new TextField();
        typed.setPromptText(expected);
        Label text = new Label(message);
        // The whole question must be read before the word is typed: it wraps rather than ending in "…".
        text.setWrapText(true);
        text.setMaxWidth(520);
        text.setMinHeight(Region.USE_PREF_SIZE);
        VBox content = new VBox(8, text, new Label("Type \"" + expected + "\" to confirm:"), typed);
        content.setAlignment(Pos.CENTER_LEFT);
        alert.getDialogPane().setContent(content);
        alert.getDialogPane().lookupButton(ok).disableProperty().bind(typed.textProperty().isNotEqualTo(expected));
        return alert.showAndWait().filter(ok::equals).isPresent() && expected.equals(typed.getText());
    }

    @Override
    public Optional<String> askText(String title, String message, String initial) {
        javafx.scene.control.TextInputDialog dialog = new javafx.scene.control.TextInputDialog(initial);
        dialog.initOwner(owner);
        dialog.setTitle(title);
        dialog.setHeaderText(title);
        dialog.setContentText(message);
        dialog.getDialogPane().setMinWidth(480);
        return dialog.showAndWait();
    }

    @Override
    public List<Path> chooseFilesToOpen(String title) {
        FileChooser chooser = new FileChooser();
        chooser.setTitle(title);
        var files = chooser.showOpenMultipleDialog(owner);
        return files == null ? List.of() : files.stream().map(java.io.File::toPath).toList();
    }

    @Override
    public Optional<Path> chooseSaveFile(String title, String suggestedName) {
        FileChooser chooser = new FileChooser();
        chooser.setTitle(title);
        chooser.setInitialFileName(suggestedName);
        return Optional.ofNullable(chooser.showSaveDialog(owner)).map(java.io.File::toPath);
    }

    private void prepare(Alert alert, String title) {
        alert.initOwner(owner);
        alert.setTitle(title);
        alert.setHeaderText(title);
        alert.getDialogPane().setMinWidth(480);
    }
}
