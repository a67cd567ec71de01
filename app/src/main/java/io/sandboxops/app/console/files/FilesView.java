package io.sandboxops.app.console.files;

import io.sandboxops.app.console.fx.ViewLoader;
import io.sandboxops.app.console.status.HumanReadable;
import java.io.File;
import java.util.List;
import javafx.beans.binding.Bindings;
import javafx.collections.ListChangeListener;
import javafx.fxml.FXML;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.control.TreeCell;
import javafx.scene.control.TreeItem;
import javafx.scene.control.TreeView;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.scene.input.TransferMode;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/** The file tree with uploads (button or drag and drop) and downloads, and the text editor beside it. */
public final class FilesView extends SplitPane {

    @FXML
    private VBox treePane;
    @FXML
    private TextField rootField;
    @FXML
    private Button goButton;
    @FXML
    private TreeView<FileNode> tree;
    @FXML
    private Button uploadButton;
    @FXML
    private Button downloadButton;
    @FXML
    private ListView<Transfer> transferList;
    @FXML
    private Button clearTransfersButton;
    @FXML
    private Label editorTitle;
    @FXML
    private Button saveButton;
    @FXML
    private Button revertButton;
    @FXML
    private TextArea editor;

    private final FilesViewModel viewModel;

    public FilesView(FilesViewModel viewModel) {
        this.viewModel = viewModel;
        ViewLoader.load(this);
    }

    @FXML
    private void initialize() {
        rootField.textProperty().bindBidirectional(viewModel.rootPathProperty());
        rootField.setOnAction(e -> viewModel.openRoot());
        goButton.setGraphic(new FontIcon(Feather.REFRESH_CW));
        goButton.setTooltip(new Tooltip("Show the tree from this directory (read it again)"));
        goButton.setOnAction(e -> viewModel.openRoot());

        tree.setShowRoot(true);
        tree.setCellFactory(t -> new FileCell());
        viewModel.rootProperty().addListener((obs, old, root) -> {
            tree.setRoot(root == null ? null : new FileTreeItem(root));
            if (tree.getRoot() != null) {
                tree.getRoot().setExpanded(true);
            }
        });
        tree.getSelectionModel().selectedItemProperty().addListener((obs, old, item) -> viewModel.selectedProperty().set(item == null ? null : item.getValue()));
        tree.setOnMouseClicked(e -> {
            if (e.getClickCount() == 2 && tree.getSelectionModel().getSelectedItem() != null) {
                viewModel.open(tree.getSelectionModel().getSelectedItem().getValue());
            }
        });
        tree.setOnKeyPressed(e -> {
            if (e.getCode() == KeyCode.ENTER && tree.getSelectionModel().getSelectedItem() != null) {
                viewModel.open(tree.getSelectionModel().getSelectedItem().getValue());
            }
        });
        // Drop local files on the tree to upload them into the directory under the pointer (or the selected one).
        treePane.setOnDragOver(e -> {
            if (e.getDragboard().hasFiles() && viewModel.canUploadProperty().get()) {
                e.acceptTransferModes(TransferMode.COPY);
            }
            e.consume();
        });
        treePane.setOnDragDropped(e -> {
            boolean done = false;
            if (e.getDragboard().hasFiles()) {
                List<java.nio.file.Path> files = e.getDragboard().getFiles().stream().map(File::toPath).toList();
                viewModel.upload(files, viewModel.uploadDirectory());
                done = true;
            }
            e.setDropCompleted(done);
            e.consume();
        });

        uploadButton.setGraphic(new FontIcon(Feather.UPLOAD));
        uploadButton.disableProperty().bind(viewModel.canUploadProperty().not());
        uploadButton.setOnAction(e -> viewModel.chooseAndUpload());
        uploadButton.setTooltip(new Tooltip("Upload files into the selected directory (or drop them on the tree)"));
        downloadButton.setGraphic(new FontIcon(Feather.DOWNLOAD));
        downloadButton.disableProperty().bind(Bindings.createBooleanBinding(
                () -> viewModel.selectedProperty().get() == null || viewModel.selectedProperty().get().isDirectory(), viewModel.selectedProperty()));
        downloadButton.setOnAction(e -> viewModel.chooseAndDownload());

        transferList.setItems(viewModel.transfers());
        transferList.setCellFactory(l -> new TransferCell());
        transferList.setPlaceholder(new Label("Uploads and downloads show here."));
        clearTransfersButton.setOnAction(e -> viewModel.clearFinished());

        editorTitle.textProperty().bind(Bindings.createStringBinding(() -> viewModel.editorPathProperty().get().isEmpty()
                ? "Double-click a file to open it" : viewModel.editorPathShownProperty().get() + (viewModel.dirtyProperty().get() ? "  (modified)" : ""),
                viewModel.editorPathProperty(), viewModel.dirtyProperty()));
        editor.textProperty().bindBidirectional(viewModel.editorTextProperty());
        editor.disableProperty().bind(viewModel.editorPathProperty().isEmpty());
        editor.setOnKeyPressed(e -> {
            if (new KeyCodeCombination(KeyCode.S, KeyCombination.SHORTCUT_DOWN).match(e)) {
                viewModel.save();
                e.consume();
            }
        });
        saveButton.setGraphic(new FontIcon(Feather.SAVE));
        saveButton.disableProperty().bind(viewModel.canSaveProperty().not());
        saveButton.setOnAction(e -> viewModel.save());
        revertButton.disableProperty().bind(viewModel.dirtyProperty().not());
        revertButton.setOnAction(e -> viewModel.revert());
    }

    /** A tree item that reads its directory the first time it is expanded, and follows reloads. */
    private final class FileTreeItem extends TreeItem<FileNode> {
        FileTreeItem(FileNode node) {
            super(node);
            if (node.isDirectory()) {
                node.children().addListener((ListChangeListener<FileNode>) c -> syncChildren());
                syncChildren();
                expandedProperty().addListener((obs, was, now) -> {
                    if (now && !node.isLoaded()) {
                        viewModel.load(node);
                    }
                });
            }
        }

        private void syncChildren() {
            getChildren().setAll(getValue().children().stream().map(FileTreeItem::new).toList());
        }

        @Override
        public boolean isLeaf() {
            return !getValue().isDirectory() || (getValue().isLoaded() && getValue().children().isEmpty());
        }
    }

    private static final class FileCell extends TreeCell<FileNode> {
        @Override
        protected void updateItem(FileNode node, boolean empty) {
            super.updateItem(node, empty);
            if (empty || node == null) {
                setText(null);
                setGraphic(null);
                setTooltip(null);
                return;
            }
            setText(node.isDirectory() ? node.name() : node.name() + "   " + HumanReadable.bytes(node.size()));
            setGraphic(new FontIcon(node.isDirectory() ? Feather.FOLDER : Feather.FILE_TEXT));
            setTooltip(new Tooltip(node.path()));
        }
    }

    /** A transfer: its name, a progress bar, bytes and speed, and cancel while it runs. */
    private static final class TransferCell extends ListCell<Transfer> {
        @Override
        protected void updateItem(Transfer t, boolean empty) {
            super.updateItem(t, empty);
            textProperty().unbind();
            if (empty || t == null) {
                setText(null);
                setGraphic(null);
                return;
            }
            FontIcon direction = new FontIcon(t.direction() == Transfer.Direction.UPLOAD ? Feather.ARROW_UP_CIRCLE : Feather.ARROW_DOWN_CIRCLE);
            Label name = new Label(t.name());
            name.setMaxWidth(Double.MAX_VALUE);
            HBox.setHgrow(name, Priority.ALWAYS);
            ProgressBar bar = new ProgressBar();
            bar.progressProperty().bind(t.progressProperty());
            bar.setPrefWidth(140);
            Label detail = new Label();
            detail.textProperty().bind(t.detailProperty());
            detail.getStyleClass().add("transfer-detail");
            Button cancel = new Button(null, new FontIcon(Feather.X));
            cancel.getStyleClass().addAll("flat", "danger");
            cancel.setTooltip(new Tooltip("Cancel this transfer"));
            cancel.setOnAction(e -> t.cancel());
            cancel.visibleProperty().bind(t.stateProperty().isEqualTo(Transfer.State.RUNNING));
            Label state = new Label();
            state.textProperty().bind(Bindings.createStringBinding(() -> t.state() == Transfer.State.RUNNING ? "" : t.state().name().toLowerCase(), t.stateProperty()));
            t.stateProperty().addListener((obs, old, now) -> styleState(state, now));
            styleState(state, t.state());
            HBox top = new HBox(6, direction, name, state, cancel);
            top.setAlignment(Pos.CENTER_LEFT);
            HBox bottom = new HBox(8, bar, detail);
            bottom.setAlignment(Pos.CENTER_LEFT);
            VBox box = new VBox(2, top, bottom);
            box.setMinWidth(Region.USE_PREF_SIZE);
            setText(null);
            setGraphic(box);
        }

        private static void styleState(Label state, Transfer.State s) {
            state.getStyleClass().removeAll("transfer-done", "transfer-failed");
            if (s == Transfer.State.DONE) {
                state.getStyleClass().add("transfer-done");
            } else if (s != Transfer.State.RUNNING) {
                state.getStyleClass().add("transfer-failed");
            }
        }
    }
}
