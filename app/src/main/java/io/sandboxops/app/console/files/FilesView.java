package io.sandboxops.app.console.files;

import io.sandboxops.app.console.fx.Shortcut;
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
import javafx.scene.control.ContextMenu;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.input.ClipboardContent;
import javafx.scene.input.Dragboard;
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
    private Button newFileButton;
    @FXML
    private Button newFolderButton;
    @FXML
    private Button renameButton;
    @FXML
    private Button deleteButton;
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
        tree.setCellFactory(t -> new FileCell(viewModel));
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
            FileNode node = viewModel.selectedProperty().get();
            if (node == null) {
                return;
            }
            if (Shortcut.OPEN_FILE.matches(e)) {
                viewModel.open(node);
            } else if (Shortcut.RENAME_FILE.matches(e)) {
                viewModel.rename(node);
                e.consume();
            } else if (Shortcut.DELETE_FILE.matches(e)) {
                viewModel.delete(node);
                e.consume();
            }
        });
        tree.setContextMenu(contextMenu());

        newFileButton.setGraphic(new FontIcon(Feather.FILE_PLUS));
        newFileButton.setTooltip(new Tooltip("New file in the selected folder"));
        newFileButton.disableProperty().bind(viewModel.canUploadProperty().not());
        newFileButton.setOnAction(e -> viewModel.newFile());
        newFolderButton.setGraphic(new FontIcon(Feather.FOLDER_PLUS));
        newFolderButton.setTooltip(new Tooltip("New folder in the selected folder"));
        newFolderButton.disableProperty().bind(viewModel.canUploadProperty().not());
        newFolderButton.setOnAction(e -> viewModel.newFolder());
        renameButton.setGraphic(new FontIcon(Feather.EDIT_3));
        renameButton.setTooltip(new Tooltip(Shortcut.RENAME_FILE.hint("Rename the selected file or folder") + "; drag it onto a folder to move it"));
        renameButton.disableProperty().bind(viewModel.canChangeSelectedProperty().not());
        renameButton.setOnAction(e -> viewModel.rename(viewModel.selectedProperty().get()));
        deleteButton.setGraphic(new FontIcon(Feather.TRASH_2));
        deleteButton.setTooltip(new Tooltip(Shortcut.DELETE_FILE.hint("Delete the selected file, or folder with everything in it")));
        deleteButton.disableProperty().bind(viewModel.canChangeSelectedProperty().not());
        deleteButton.setOnAction(e -> viewModel.delete(viewModel.selectedProperty().get()));
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
            if (Shortcut.SAVE_FILE.matches(e)) {
                viewModel.save();
                e.consume();
            }
        });
        saveButton.setGraphic(new FontIcon(Feather.SAVE));
        saveButton.setTooltip(new Tooltip(Shortcut.SAVE_FILE.hint("Save the file")));
        saveButton.disableProperty().bind(viewModel.canSaveProperty().not());
        saveButton.setOnAction(e -> viewModel.save());
        revertButton.disableProperty().bind(viewModel.dirtyProperty().not());
        revertButton.setOnAction(e -> viewModel.revert());
    }

    private ContextMenu contextMenu() {
        MenuItem open = new MenuItem("Open", new FontIcon(Feather.EDIT));
        open.setOnAction(e -> viewModel.open(viewModel.selectedProperty().get()));
        open.disableProperty().bind(Bindings.createBooleanBinding(
                () -> viewModel.selectedProperty().get() == null || viewModel.selectedProperty().get().isDirectory(), viewModel.selectedProperty()));
        MenuItem newFile = new MenuItem("New file…", new FontIcon(Feather.FILE_PLUS));
        newFile.setOnAction(e -> viewModel.newFile());
        newFile.disableProperty().bind(viewModel.canUploadProperty().not());
        MenuItem newFolder = new MenuItem("New folder…", new FontIcon(Feather.FOLDER_PLUS));
        newFolder.setOnAction(e -> viewModel.newFolder());
        newFolder.disableProperty().bind(viewModel.canUploadProperty().not());
        // The keys are named, not set as accelerators: a context menu's accelerators act in the whole window, and Delete
        // pressed in the sessions table must not delete the selected file.
        MenuItem rename = new MenuItem(Shortcut.RENAME_FILE.hint("Rename…"), new FontIcon(Feather.EDIT_3));
        rename.setOnAction(e -> viewModel.rename(viewModel.selectedProperty().get()));
        rename.disableProperty().bind(viewModel.canChangeSelectedProperty().not());
        MenuItem delete = new MenuItem(Shortcut.DELETE_FILE.hint("Delete…"), new FontIcon(Feather.TRASH_2));
        delete.setOnAction(e -> viewModel.delete(viewModel.selectedProperty().get()));
        delete.disableProperty().bind(viewModel.canChangeSelectedProperty().not());
        MenuItem upload = new MenuItem("Upload here…", new FontIcon(Feather.UPLOAD));
        upload.setOnAction(e -> viewModel.chooseAndUpload());
        upload.disableProperty().bind(viewModel.canUploadProperty().not());
        MenuItem download = new MenuItem("Download…", new FontIcon(Feather.DOWNLOAD));
        download.setOnAction(e -> viewModel.chooseAndDownload());
        download.disableProperty().bind(open.disableProperty());
        MenuItem refresh = new MenuItem("Refresh", new FontIcon(Feather.REFRESH_CW));
        refresh.setOnAction(e -> viewModel.openRoot());
        ContextMenu menu = new ContextMenu(open, new SeparatorMenuItem(), newFile, newFolder, rename, delete,
                new SeparatorMenuItem(), upload, download, new SeparatorMenuItem(), refresh);
        menu.setId("fileMenu");
        return menu;
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
            // A reload (after a rename, a move, a save) keeps the folders that were open open.
            java.util.Set<String> open = getChildren().stream().filter(TreeItem::isExpanded).map(i -> i.getValue().path())
                    .collect(java.util.stream.Collectors.toSet());
            TreeItem<FileNode> was = tree.getSelectionModel().getSelectedItem();
            String selectedPath = was == null || was.getParent() != this ? null : was.getValue().path();
            List<FileTreeItem> items = getValue().children().stream().map(FileTreeItem::new).toList();
            getChildren().setAll(items);
            items.stream().filter(i -> open.contains(i.getValue().path())).forEach(i -> i.setExpanded(true));
            // ... and what was selected stays selected, so the next action applies to it.
            items.stream().filter(i -> i.getValue().path().equals(selectedPath)).findFirst().ifPresent(i -> tree.getSelectionModel().select(i));
        }

        @Override
        public boolean isLeaf() {
            return !getValue().isDirectory() || (getValue().isLoaded() && getValue().children().isEmpty());
        }
    }

    /** A tree row; dragging it onto a folder moves it there (files dropped from the desktop upload instead). */
    private static final class FileCell extends TreeCell<FileNode> {
        private static final javafx.css.PseudoClass DROP_TARGET = javafx.css.PseudoClass.getPseudoClass("drop-target");
        /** The entry being dragged inside the tree; a drag from elsewhere carries files instead. */
        private static FileNode dragged;

        FileCell(FilesViewModel viewModel) {
            setOnDragDetected(e -> {
                FileNode node = getItem();
                if (node != null && !isEmpty() && viewModel.canChangeSelectedProperty().get()) {
                    dragged = node;
                    Dragboard board = startDragAndDrop(TransferMode.MOVE);
                    ClipboardContent content = new ClipboardContent();
                    content.putString(node.path());
                    board.setContent(content);
                    e.consume();
                }
            });
            setOnDragOver(e -> {
                if (dragged != null && e.getGestureSource() != this && getItem() != null && getItem().isDirectory()) {
                    e.acceptTransferModes(TransferMode.MOVE);
                    pseudoClassStateChanged(DROP_TARGET, true);
                    e.consume();
                }
            });
            setOnDragExited(e -> pseudoClassStateChanged(DROP_TARGET, false));
            setOnDragDropped(e -> {
                if (dragged != null && getItem() != null && getItem().isDirectory()) {
                    viewModel.move(dragged, getItem());
                    e.setDropCompleted(true);
                    e.consume();
                }
            });
            setOnDragDone(e -> dragged = null);
        }

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
            setTooltip(new Tooltip(node.path() + (node.modified() == null ? "" : "\nmodified " + HumanReadable.time(node.modified()))));
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
