package io.sandboxops.app.console.environment;

import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.Window;

/** The "Check environment" result: each check as it finishes (outcome, what was found, what to do), and the summary. */
public final class EnvironmentCheckView extends VBox {

    public EnvironmentCheckView(EnvironmentCheckViewModel viewModel) {
        setSpacing(8);
        setPadding(new Insets(10));
        setPrefSize(760, 480);
        ListView<EnvironmentCheckViewModel.CheckRow> list = new ListView<>(viewModel.rows());
        list.setId("environmentChecks");
        list.setCellFactory(v -> new ListCell<>() {
            @Override
            protected void updateItem(EnvironmentCheckViewModel.CheckRow row, boolean empty) {
                super.updateItem(row, empty);
                setText(empty || row == null ? null : row.describe());
                setWrapText(true);
                setPrefWidth(0);
                getStyleClass().removeAll("status-error", "status-warning");
                if (!empty && row != null && !row.outcome().equals("PASS")) {
                    getStyleClass().add(row.outcome().equals("FAIL") ? "status-error" : "status-warning");
                }
            }
        });
        VBox.setVgrow(list, Priority.ALWAYS);
        Label summary = new Label();
        summary.setId("environmentCheckSummary");
        summary.setWrapText(true);
        summary.textProperty().bind(viewModel.summaryProperty());
        ProgressIndicator busy = new ProgressIndicator();
        busy.setPrefSize(18, 18);
        busy.visibleProperty().bind(viewModel.runningProperty());
        Button again = new Button("Check again");
        again.setId("checkEnvironmentAgain");
        again.disableProperty().bind(viewModel.runningProperty());
        again.setOnAction(e -> viewModel.check());
        HBox bar = new HBox(8, busy, summary, again);
        HBox.setHgrow(summary, Priority.ALWAYS);
        getChildren().addAll(bar, list);
    }

    /** Opens the result window and starts the check. */
    public static void show(Window owner, EnvironmentCheckViewModel viewModel) {
        Dialog<ButtonType> dialog = new Dialog<>();
        dialog.initOwner(owner);
        dialog.setTitle("Check environment");
        dialog.setHeaderText("Preflight: what a rollout step needs, and a live canary session (as `sandboxctl env check`)");
        dialog.getDialogPane().getButtonTypes().add(ButtonType.CLOSE);
        dialog.getDialogPane().setContent(new EnvironmentCheckView(viewModel));
        dialog.setResizable(true);
        dialog.show();
        viewModel.check();
    }
}
