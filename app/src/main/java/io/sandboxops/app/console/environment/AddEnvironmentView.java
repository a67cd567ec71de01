package io.sandboxops.app.console.environment;

import java.io.File;
import javafx.event.ActionEvent;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.stage.FileChooser;
import javafx.stage.Window;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/** The form of "Add environment…": one field per entry of the environments file, and the credentials to check. */
public final class AddEnvironmentView extends GridPane {
    private final AddEnvironmentViewModel viewModel;
    private int row;

    public AddEnvironmentView(AddEnvironmentViewModel viewModel) {
        this.viewModel = viewModel;
        setId("addEnvironmentForm");
        setHgap(10);
        setVgap(8);
        setPadding(new Insets(10, 14, 10, 14));
        getColumnConstraints().addAll(new ColumnConstraints(), columnThatGrows());
        Label kind = new Label("GCP project (the local environment is built in)");
        field("Kind", kind);
        field("Name", text("envName", viewModel.nameProperty(), "e.g. staging"));
        field("GCP project", text("envProject", viewModel.projectProperty(), "project id, e.g. acme-staging"));
        field("Region", text("envRegion", viewModel.regionProperty(), "e.g. europe-west1"));
        field("Service", text("envService", viewModel.serviceProperty(), "the agent backend's Cloud Run service"));
        field("Bucket", text("envBucket", viewModel.bucketProperty(), "optional: PROJECT-sandbox-sessions"));
        field("Executor image", text("envImage", viewModel.imageProperty(), "optional"));
        field("Job name prefix", text("envJobPrefix", viewModel.jobNamePrefixProperty(), "optional, e.g. sbx-"));
        CheckBox production = new CheckBox("Production: each write needs the service name typed");
        production.setId("envProduction");
        production.selectedProperty().bindBidirectional(viewModel.productionProperty());
        CheckBox readOnly = new CheckBox("Read-only: every write is refused");
        readOnly.setId("envReadOnly");
        readOnly.selectedProperty().bindBidirectional(viewModel.readOnlyProperty());
        field("", production);
        field("", readOnly);
        TextField key = text("envCredentials", viewModel.credentialsFileProperty(), "service-account key (.json)");
        Button browse = new Button(null, new FontIcon(Feather.FOLDER));
        browse.setOnAction(e -> {
            FileChooser chooser = new FileChooser();
            chooser.setTitle("Service-account key");
            chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("JSON key", "*.json"));
            File chosen = chooser.showOpenDialog(getScene() == null ? null : getScene().getWindow());
            if (chosen != null) {
                viewModel.credentialsFileProperty().set(chosen.getPath());
            }
        });
        HBox keyRow = new HBox(6, key, browse);
        HBox.setHgrow(key, Priority.ALWAYS);
        field("Credentials", keyRow);
        Label message = new Label();
        message.setId("addEnvironmentMessage");
        message.setWrapText(true);
        message.setMaxWidth(520);
        // Grows to its lines: why nothing was written is read in full.
        message.setMinHeight(USE_PREF_SIZE);
        message.textProperty().bind(viewModel.messageProperty());
        viewModel.failedProperty().addListener((obs, was, now) -> message.getStyleClass().setAll(now ? "status-error" : "status-info"));
        add(message, 0, row++, 2, 1);
    }

    /** Opens the form as a dialog; "Check and add" keeps it open until the entry is written. */
    public static void show(Window owner, AddEnvironmentViewModel viewModel, java.util.function.Consumer<ConsoleEnvironment> onAdded) {
        Dialog<ButtonType> dialog = new Dialog<>();
        dialog.initOwner(owner);
        dialog.setTitle("Add environment");
        dialog.setHeaderText("Add an environment to " + viewModel.file());
        ButtonType add = new ButtonType("Check and add", ButtonBar.ButtonData.OK_DONE);
        dialog.getDialogPane().getButtonTypes().addAll(add, ButtonType.CANCEL);
        dialog.getDialogPane().setContent(new AddEnvironmentView(viewModel));
        Node addButton = dialog.getDialogPane().lookupButton(add);
        addButton.disableProperty().bind(viewModel.busyProperty());
        addButton.addEventFilter(ActionEvent.ACTION, e -> {
            e.consume();
            viewModel.checkAndSave(env -> {
                onAdded.accept(env);
                dialog.setResult(add);
                dialog.close();
            });
        });
        // The message may take lines: the dialog grows to show it and its buttons.
        viewModel.messageProperty().addListener((obs, old, now) -> javafx.application.Platform.runLater(() -> {
            if (dialog.getDialogPane().getScene() != null) {
                dialog.getDialogPane().getScene().getWindow().sizeToScene();
            }
        }));
        dialog.show();
    }

    private void field(String label, Node control) {
        Label l = new Label(label);
        l.setMinWidth(USE_PREF_SIZE);
        add(l, 0, row);
        add(control, 1, row++);
    }

    private static TextField text(String id, javafx.beans.property.StringProperty property, String prompt) {
        TextField field = new TextField();
        field.setId(id);
        field.setPromptText(prompt);
        field.setPrefColumnCount(28);
        field.textProperty().bindBidirectional(property);
        return field;
    }

    private static ColumnConstraints columnThatGrows() {
        ColumnConstraints c = new ColumnConstraints();
        c.setHgrow(Priority.ALWAYS);
        return c;
    }
}
