package io.sandboxops.app.console.main;

import io.sandboxops.app.console.fx.Shortcut;
import java.util.List;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.scene.control.Alert;
import javafx.scene.control.ButtonType;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.stage.Window;

/** The F1 sheet: every {@link Shortcut}, its keys, what it does and where it works. */
public final class ShortcutSheet {
    private ShortcutSheet() {
    }

    public static TableView<Shortcut> table() {
        TableView<Shortcut> table = new TableView<>();
        table.setId("shortcutTable");
        TableColumn<Shortcut, String> keys = new TableColumn<>("Keys");
        keys.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().keys()));
        keys.setPrefWidth(110);
        TableColumn<Shortcut, String> action = new TableColumn<>("Does");
        action.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().action()));
        action.setPrefWidth(260);
        TableColumn<Shortcut, String> where = new TableColumn<>("Where");
        where.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().where()));
        where.setPrefWidth(130);
        table.getColumns().addAll(List.of(keys, action, where));
        table.getItems().setAll(Shortcut.values());
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY);
        table.setPrefSize(540, 460);
        return table;
    }

    public static void show(Window owner) {
        Alert sheet = new Alert(Alert.AlertType.NONE, null, ButtonType.CLOSE);
        sheet.initOwner(owner);
        sheet.setTitle("Keyboard shortcuts");
        sheet.setHeaderText("Keyboard shortcuts");
        sheet.getDialogPane().setId("shortcutSheet");
        sheet.getDialogPane().setContent(table());
        sheet.setResizable(true);
        sheet.show();
    }
}
