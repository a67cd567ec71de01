package io.sandboxops.app.console.files;

import io.sandboxops.app.console.dialog.DialogService;
import io.sandboxops.app.console.dialog.ErrorMessages;
import io.sandboxops.app.console.dialog.Notifier;
import io.sandboxops.app.console.environment.WriteGuard;
import io.sandboxops.app.console.sessions.SessionHandle;
import io.sandboxops.app.console.status.HumanReadable;
import io.sandboxops.app.console.status.StatusLine;
import io.sandboxops.app.console.task.BackgroundTask;
import io.sandboxops.app.console.task.TaskContext;
import io.sandboxops.app.console.task.TaskExecutor;
import io.sandboxops.core.api.FileEntry;
import io.sandboxops.core.api.LineRange;
import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxNotFoundException;
import io.sandboxops.core.env.ControlCharacters;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.function.LongSupplier;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.binding.StringBinding;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.beans.value.ObservableValue;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The session's files: a tree read directory by directory, a text editor for one file at a time, and
 * uploads and downloads that run several at once, each with progress, speed and cancel. Transfers over
 * {@link Sandbox#MAX_TRANSFER_BYTES} are refused before a byte moves.
 */
public final class FilesViewModel {
    /** The editor is for configuration and source files; bigger files are downloaded instead. */
    static final long MAX_EDIT_BYTES = 5L * 1000 * 1000;
    static final String DEFAULT_ROOT = "/workspace";

    private final TaskExecutor executor;
    private final DialogService dialogs;
    private final Notifier notifier;
    private final StatusLine status;
    private final WriteGuard guard;
    private final ObservableValue<SessionHandle> session;
    private final LongSupplier nanoClock;

    private final StringProperty rootPath = new SimpleStringProperty(this, "rootPath", DEFAULT_ROOT);
    private final ReadOnlyObjectWrapper<FileNode> root = new ReadOnlyObjectWrapper<>(this, "root");
    private final ObjectProperty<FileNode> selected = new SimpleObjectProperty<>(this, "selected");
    private final ReadOnlyStringWrapper editorPath = new ReadOnlyStringWrapper(this, "editorPath", "");
    private final StringBinding editorPathShown = Bindings.createStringBinding(() -> ControlCharacters.escape(editorPath.get()), editorPath);
    private final StringProperty editorText = new SimpleStringProperty(this, "editorText", "");
    private final ReadOnlyStringWrapper savedText = new ReadOnlyStringWrapper(this, "savedText", "");
    private final BooleanBinding dirty = Bindings.createBooleanBinding(() -> !editorPath.get().isEmpty() && !editorText.get().equals(savedText.get()),
            editorPath, editorText, savedText);
    private final ObservableList<Transfer> transfers = FXCollections.observableArrayList();

    public FilesViewModel(TaskExecutor executor, DialogService dialogs, Notifier notifier, StatusLine status, WriteGuard guard,
                          ObservableValue<SessionHandle> session) {
        this(executor, dialogs, notifier, status, guard, session, System::nanoTime);
    }

    FilesViewModel(TaskExecutor executor, DialogService dialogs, Notifier notifier, StatusLine status, WriteGuard guard,
                   ObservableValue<SessionHandle> session, LongSupplier nanoClock) {
        this.executor = executor;
        this.dialogs = dialogs;
        this.notifier = notifier;
        this.status = status;
        this.guard = guard;
        this.session = session;
        this.nanoClock = nanoClock;
        session.addListener((obs, old, now) -> {
            closeEditor();
            rootPath.set(DEFAULT_ROOT);
            openRoot();
        });
    }

    // ---- the tree ---------------------------------------------------------------------------------------

    /** Shows the tree from {@link #rootPathProperty()}; the default root falls back to {@code /} when absent. */
    public void openRoot() {
        SessionHandle s = session.getValue();
        root.set(null);
        selected.set(null);
        if (s == null) {
            return;
        }
        String path = normalize(rootPath.get());
        executor.execute(BackgroundTask.of("list " + path, context -> {
                    try {
                        return new Listing(path, s.sandbox().fileList(path));
                    } catch (SandboxNotFoundException e) {
                        if (path.equals(DEFAULT_ROOT)) {
                            return new Listing("/", s.sandbox().fileList("/"));
                        }
                        throw e;
                    }
                })
                .onSuccess(listing -> {
                    if (s != session.getValue()) {
                        return;
                    }
                    rootPath.set(listing.path());
                    FileNode node = new FileNode(listing.path(), listing.path(), true, 0, null);
                    node.setChildren(nodes(listing.entries()));
                    root.set(node);
                })
                .onFailure(e -> status.error("Could not list " + path + ": " + ErrorMessages.describe(e))));
    }

    private record Listing(String path, List<FileEntry> entries) {
    }

    /** Reads a directory's entries (again). */
    public void load(FileNode directory) {
        SessionHandle s = session.getValue();
        if (s == null || !directory.isDirectory()) {
            return;
        }
        executor.execute(BackgroundTask.of("list " + directory.path(), context -> s.sandbox().fileList(directory.path()))
                .onSuccess(entries -> directory.setChildren(nodes(entries)))
                .onFailure(e -> status.error("Could not list " + directory.path() + ": " + ErrorMessages.describe(e))));
    }

    private static List<FileNode> nodes(List<FileEntry> entries) {
        // Directories first, as file browsers list them.
        return entries.stream()
                .sorted(java.util.Comparator.comparing((FileEntry e) -> !e.isDirectory()).thenComparing(FileEntry::name))
                .map(e -> new FileNode(ControlCharacters.escape(e.name()), e.path(), e.isDirectory(), e.size(), e.modified())).toList();
    }

    private static String normalize(String path) {
        String p = path == null || path.isBlank() ? "/" : path.strip();
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    /** The directory uploads go to: the selected directory, the selected file's, or the root. */
    public String uploadDirectory() {
        FileNode n = selected.get();
        if (n == null) {
            return root.get() == null ? rootPath.get() : root.get().path();
        }
        if (n.isDirectory()) {
            return n.path();
        }
        int slash = n.path().lastIndexOf('/');
        return slash <= 0 ? "/" : n.path().substring(0, slash);
    }

    // ---- the editor -------------------------------------------------------------------------------------

    public void open(FileNode file) {
        SessionHandle s = session.getValue();
        if (s == null || file == null || file.isDirectory()) {
            return;
        }
        if (dirty.get() && !dialogs.confirm("Unsaved changes", "Discard the changes to " + editorPath.get() + "?", "Discard")) {
            return;
        }
        if (file.size() > MAX_EDIT_BYTES) {
            status.warn(file.path() + " is " + HumanReadable.bytes(file.size()) + ", more than the editor opens ("
                    + HumanReadable.bytes(MAX_EDIT_BYTES) + "); download it instead.");
            return;
        }
        executor.execute(BackgroundTask.of("open " + file.path(), context -> s.sandbox().fileRead(file.path(), LineRange.all()))
                .onSuccess(text -> {
                    if (text.indexOf('\0') >= 0) {
                        status.warn(file.path() + " is not a text file; download it instead.");
                        return;
                    }
                    editorPath.set(file.path());
                    savedText.set(text);
                    editorText.set(text);
                })
                .onFailure(e -> status.error("Could not open " + file.path() + ": " + ErrorMessages.describe(e))));
    }

    public void save() {
        SessionHandle s = session.getValue();
        String path = editorPath.get();
        if (s == null || path.isEmpty() || !dirty.get() || !guard.approveRoutine("Save " + path, "Save the changes to " + path + "?")) {
            return;
        }
        String text = editorText.get();
        executor.execute(BackgroundTask.ofRunnable("save " + path, () -> s.sandbox().fileWrite(path, text, false, false, false))
                .onSuccess(v -> {
                    savedText.set(text);
                    status.info("Saved " + path + ".");
                })
                .onFailure(e -> status.error("Could not save " + path + ": " + ErrorMessages.describe(e))));
    }

    /** Reverts to what was read. */
    public void revert() {
        editorText.set(savedText.get());
    }

    private void closeEditor() {
        editorPath.set("");
        savedText.set("");
        editorText.set("");
    }

    // ---- transfers --------------------------------------------------------------------------------------

    /** Asks for local files and uploads them into {@link #uploadDirectory()}. */
    public void chooseAndUpload() {
        List<Path> files = dialogs.chooseFilesToOpen("Upload to " + uploadDirectory());
        if (!files.isEmpty()) {
            upload(files, uploadDirectory());
        }
    }

    /** Uploads local files into a directory of the sandbox, each as its own transfer. */
    public void upload(List<Path> localFiles, String directory) {
        SessionHandle s = session.getValue();
        if (s == null || localFiles.isEmpty() || !guard.approveRoutine("Upload", "Upload " + localFiles.size() + " file(s) to " + directory + "?")) {
            return;
        }
        for (Path local : localFiles) {
            String target = (directory.endsWith("/") ? directory : directory + "/") + local.getFileName();
            long size;
            try {
                size = Files.isRegularFile(local) ? Files.size(local) : -1;
            } catch (IOException e) {
                size = -1;
            }
            Transfer t = new Transfer(Transfer.Direction.UPLOAD, target, Math.max(size, 0), nanoClock.getAsLong());
            transfers.add(0, t);
            if (size < 0) {
                t.finish(Transfer.State.REFUSED, local + " is not a readable file (folders are not uploaded)");
                continue;
            }
            if (size > Sandbox.MAX_TRANSFER_BYTES) {
                t.finish(Transfer.State.REFUSED, "refused: " + HumanReadable.bytes(size) + " is over the "
                        + HumanReadable.bytes(Sandbox.MAX_TRANSFER_BYTES) + " limit");
                continue;
            }
            long bytes = size;
            executor.execute(BackgroundTask.of("upload " + local.getFileName(), context -> {
                        try (InputStream in = new CancellableInput(Files.newInputStream(local), t)) {
                            return s.sandbox().fileUpload(in, bytes, target, (done, total) -> context.progress(done, total));
                        }
                    })
                    .onProgress((done, total) -> t.progress(done, total, nanoClock.getAsLong()))
                    .onSuccess(n -> finished(t, s, target, directory))
                    .onFailure(e -> failed(t, e)));
        }
    }

    /** Downloads the selected file, asking where to save it. */
    public void chooseAndDownload() {
        FileNode n = selected.get();
        if (n == null || n.isDirectory()) {
            status.warn("Select a file to download.");
            return;
        }
        dialogs.chooseSaveFile("Download " + n.path(), n.name()).ifPresent(local -> download(n, local));
    }

    public void download(FileNode file, Path local) {
        SessionHandle s = session.getValue();
        if (s == null) {
            return;
        }
        Transfer t = new Transfer(Transfer.Direction.DOWNLOAD, local.toString(), file.size(), nanoClock.getAsLong());
        transfers.add(0, t);
        if (file.size() > Sandbox.MAX_TRANSFER_BYTES) {
            t.finish(Transfer.State.REFUSED, "refused: " + HumanReadable.bytes(file.size()) + " is over the "
                    + HumanReadable.bytes(Sandbox.MAX_TRANSFER_BYTES) + " limit");
            return;
        }
        executor.execute(BackgroundTask.of("download " + file.path(), context -> downloadTo(s, file, local, t, context))
                .onProgress((done, total) -> t.progress(done, total, nanoClock.getAsLong()))
                .onSuccess(n -> finished(t, null, local.toString(), null))
                .onFailure(e -> failed(t, e)));
    }

    private static long downloadTo(SessionHandle s, FileNode file, Path local, Transfer t, TaskContext context) throws IOException {
        // Into a partial file first, so a cancelled or failed download never leaves a truncated file under the real name.
        Path partial = local.resolveSibling(local.getFileName() + ".part");
        try {
            long n;
            try (OutputStream out = new CancellableOutput(Files.newOutputStream(partial), t)) {
                n = s.sandbox().fileDownload(file.path(), out, (done, total) -> context.progress(done, total));
            }
            Files.move(partial, local, StandardCopyOption.REPLACE_EXISTING);
            return n;
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    private void finished(Transfer t, SessionHandle refreshIn, String what, String directory) {
        t.finish(Transfer.State.DONE, HumanReadable.bytes(t.size()) + " · done");
        notifier.done(t.direction() == Transfer.Direction.UPLOAD ? "Upload finished" : "Download finished",
                what + " (" + HumanReadable.bytes(t.size()) + ")");
        if (refreshIn != null && refreshIn == session.getValue()) {
            reloadDirectory(directory);
        }
    }

    private void failed(Transfer t, Exception e) {
        if (t.isCancelRequested()) {
            t.finish(Transfer.State.CANCELLED, "cancelled");
        } else {
            t.finish(Transfer.State.FAILED, ErrorMessages.describe(e));
            // Several run at once and take minutes: whoever started one may be looking elsewhere when it fails.
            notifier.warn(t.direction() == Transfer.Direction.UPLOAD ? "Upload failed" : "Download failed",
                    t.name() + ": " + ErrorMessages.describe(e));
            status.error("Could not " + t.direction().name().toLowerCase() + " " + t.name() + ": " + ErrorMessages.describe(e));
        }
    }

    private void reloadDirectory(String directory) {
        FileNode r = root.get();
        if (r == null) {
            return;
        }
        FileNode found = find(r, normalize(directory));
        if (found != null) {
            load(found);
        }
    }

    private static FileNode find(FileNode node, String path) {
        if (node.path().equals(path)) {
            return node;
        }
        for (FileNode child : node.children()) {
            if (child.isDirectory() && (path.equals(child.path()) || path.startsWith(child.path() + "/"))) {
                return find(child, path);
            }
        }
        return null;
    }

    /** Removes the finished transfers from the list. */
    public void clearFinished() {
        transfers.removeIf(t -> t.state() != Transfer.State.RUNNING);
    }

    /** Ends a transfer's stream at the next read once it was cancelled. */
    private static final class CancellableInput extends FilterInputStream {
        private final Transfer transfer;

        CancellableInput(InputStream in, Transfer transfer) {
            super(in);
            this.transfer = transfer;
        }

        @Override
        public int read() throws IOException {
            check();
            return super.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            check();
            return super.read(b, off, len);
        }

        private void check() throws IOException {
            if (transfer.isCancelRequested()) {
                throw new InterruptedIOException("upload cancelled");
            }
        }
    }

    private static final class CancellableOutput extends FilterOutputStream {
        private final Transfer transfer;

        CancellableOutput(OutputStream out, Transfer transfer) {
            super(out);
            this.transfer = transfer;
        }

        @Override
        public void write(int b) throws IOException {
            check();
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            check();
            out.write(b, off, len);
        }

        private void check() throws IOException {
            if (transfer.isCancelRequested()) {
                throw new InterruptedIOException("download cancelled");
            }
        }
    }

    // ---- properties -------------------------------------------------------------------------------------

    public StringProperty rootPathProperty() {
        return rootPath;
    }

    public ReadOnlyObjectProperty<FileNode> rootProperty() {
        return root.getReadOnlyProperty();
    }

    public ObjectProperty<FileNode> selectedProperty() {
        return selected;
    }

    public ReadOnlyStringProperty editorPathProperty() {
        return editorPath.getReadOnlyProperty();
    }

    /** The open file's path as a title shows it: inert, since the sandbox names its files. */
    public StringBinding editorPathShownProperty() {
        return editorPathShown;
    }

    public StringProperty editorTextProperty() {
        return editorText;
    }

    public BooleanBinding dirtyProperty() {
        return dirty;
    }

    public BooleanBinding canSaveProperty() {
        return dirty.and(guard.writesAllowed());
    }

    public BooleanBinding canUploadProperty() {
        return guard.writesAllowed().and(Bindings.createBooleanBinding(() -> session.getValue() != null, session));
    }

    public ObservableList<Transfer> transfers() {
        return transfers;
    }
}
