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
import io.sandboxops.core.api.SandboxInvalidInputException;
import io.sandboxops.core.api.SandboxNotFoundException;
import io.sandboxops.core.api.TransferProgress;
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
import java.util.Optional;
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
    private final BooleanBinding canChangeSelected;

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
        this.canChangeSelected = guard.writesAllowed().and(Bindings.createBooleanBinding(
                () -> selected.get() != null && !isRoot(selected.get()), selected, root));
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
        return parent(n.path());
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
                    // The tree shows the new size and time, not what the listing said before the save.
                    reloadDirectory(parent(path));
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

    // ---- file operations --------------------------------------------------------------------------------
    // The Sandbox API has write, list, delete, upload and download but no mkdir or move: a folder is made by writing
    // a placeholder into it and deleting that, a rename or move copies through a local temporary file and deletes
    // the original only once every copy is complete. No path ever reaches a shell command line.

    /** The placeholder a new folder is made with; removed at once. */
    static final String FOLDER_PLACEHOLDER = ".sandboxops-new-folder";

    /** Asks for a name and creates an empty file in {@link #uploadDirectory()}. */
    public void newFile() {
        create(false);
    }

    /** Asks for a name and creates an empty folder in {@link #uploadDirectory()}. */
    public void newFolder() {
        create(true);
    }

    private void create(boolean folder) {
        SessionHandle s = session.getValue();
        if (s == null) {
            return;
        }
        String directory = uploadDirectory();
        String what = folder ? "folder" : "file";
        Optional<String> name = askName("New " + what, "Name of the new " + what + " in " + ControlCharacters.escape(directory) + ":", "");
        if (name.isEmpty()) {
            return;
        }
        String path = child(directory, name.get());
        if (!guard.approveRoutine("New " + what, "Create the " + what + " " + path + "?")) {
            return;
        }
        executor.execute(BackgroundTask.ofRunnable("create " + path, () -> {
                    refuseExisting(s.sandbox(), path);
                    if (folder) {
                        makeFolder(s.sandbox(), path);
                    } else {
                        s.sandbox().fileWrite(path, "", false, false, false);
                    }
                })
                .onSuccess(v -> {
                    status.info("Created " + ControlCharacters.escape(path) + ".");
                    reloadDirectory(directory);
                })
                .onFailure(e -> status.error("Could not create " + ControlCharacters.escape(path) + ": " + ErrorMessages.describe(e))));
    }

    /** Asks for a new name and renames the entry in its folder. */
    public void rename(FileNode node) {
        if (node == null || session.getValue() == null || isRoot(node)) {
            return;
        }
        String parent = parent(node.path());
        askName("Rename", "New name for " + ControlCharacters.escape(node.path()) + ":", baseName(node.path()))
                .filter(name -> !name.equals(baseName(node.path())))
                .ifPresent(name -> relocate(node, child(parent, name), "Rename"));
    }

    /** Moves an entry into another folder (drag and drop), keeping its name. */
    public void move(FileNode node, FileNode folder) {
        if (node == null || folder == null || !folder.isDirectory() || session.getValue() == null || isRoot(node)) {
            return;
        }
        if (folder.path().equals(node.path()) || folder.path().startsWith(node.path() + "/")) {
            status.warn("Cannot move " + ControlCharacters.escape(node.path()) + " into itself.");
            return;
        }
        if (folder.path().equals(parent(node.path()))) {
            return;
        }
        relocate(node, child(folder.path(), baseName(node.path())), "Move");
    }

    private void relocate(FileNode node, String target, String verb) {
        SessionHandle s = session.getValue();
        String from = node.path();
        String shownFrom = ControlCharacters.escape(from);
        String shownTarget = ControlCharacters.escape(target);
        if (!guard.approveRoutine(verb + " " + shownFrom, verb + " " + shownFrom + " to " + shownTarget + "?")) {
            return;
        }
        executor.execute(BackgroundTask.ofRunnable(verb.toLowerCase() + " " + from, () -> copyThenDelete(s.sandbox(), node.isDirectory(), from, target))
                .onSuccess(v -> {
                    if (editorPath.get().equals(from) || editorPath.get().startsWith(from + "/")) {
                        closeEditor();
                    }
                    status.info((verb.equals("Rename") ? "Renamed " : "Moved ") + shownFrom + " to " + shownTarget + ".");
                    reloadDirectory(parent(from));
                    if (!parent(target).equals(parent(from))) {
                        reloadDirectory(parent(target));
                    }
                })
                .onFailure(e -> status.error("Could not " + verb.toLowerCase() + " " + shownFrom + ": " + ErrorMessages.describe(e))));
    }

    /** Deletes a file, or a folder with everything in it, after a confirmation that names it. */
    public void delete(FileNode node) {
        SessionHandle s = session.getValue();
        if (node == null || s == null || isRoot(node)) {
            return;
        }
        String path = node.path();
        String shown = ControlCharacters.escape(path);
        String message = node.isDirectory()
                ? "Delete the folder " + shown + " and everything in it? This cannot be undone."
                : "Delete the file " + shown + " (" + HumanReadable.bytes(node.size()) + ")? This cannot be undone.";
        if (!guard.approve("Delete " + shown, message, "Delete")) {
            return;
        }
        executor.execute(BackgroundTask.ofRunnable("delete " + path, () -> s.sandbox().fileDelete(path))
                .onSuccess(v -> {
                    if (editorPath.get().equals(path) || editorPath.get().startsWith(path + "/")) {
                        closeEditor();
                    }
                    if (selected.get() == node) {
                        selected.set(null);
                    }
                    status.info("Deleted " + shown + ".");
                    reloadDirectory(parent(path));
                })
                .onFailure(e -> status.error("Could not delete " + shown + ": " + ErrorMessages.describe(e))));
    }

    private Optional<String> askName(String title, String message, String initial) {
        Optional<String> typed = dialogs.askText(title, message, initial).map(String::strip).filter(n -> !n.isEmpty());
        if (typed.isPresent()) {
            Optional<String> problem = nameProblem(typed.get());
            if (problem.isPresent()) {
                dialogs.showError(title, problem.get() + " Nothing was changed.");
                return Optional.empty();
            }
        }
        return typed;
    }

    /** A name is one path segment: no slash, not {@code .} or {@code ..}, no control character. */
    static Optional<String> nameProblem(String name) {
        if (name.contains("/")) {
            return Optional.of("A name cannot contain \"/\"; to put it in another folder, drag it there.");
        }
        if (name.equals(".") || name.equals("..")) {
            return Optional.of("\"" + name + "\" is not a name a file can have.");
        }
        if (!ControlCharacters.escape(name).equals(name)) {
            return Optional.of("A name cannot contain control characters.");
        }
        if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 255) {
            return Optional.of("A name can be at most 255 bytes long.");
        }
        return Optional.empty();
    }

    private boolean isRoot(FileNode node) {
        return root.get() != null && root.get().path().equals(node.path());
    }

    private static void refuseExisting(Sandbox sandbox, String path) {
        if (sandbox.fileExists(path)) {
            throw new SandboxInvalidInputException(path + " already exists; choose another name");
        }
    }

    private static void makeFolder(Sandbox sandbox, String path) {
        String placeholder = child(path, FOLDER_PLACEHOLDER);
        sandbox.fileWrite(placeholder, "", false, false, false);
        sandbox.fileDelete(placeholder);
    }

    private record Entry(String from, String to, boolean directory, long size) {
    }

    /**
     * Copies {@code from} to {@code target} entry by entry, then deletes {@code from}. Everything is checked before a byte
     * moves: the target is free, no link or special file is inside (a copy would not be one), no file is executable
     * (the copy would lose the bit). A failed copy removes what it made and leaves the original as it was.
     */
    private static void copyThenDelete(Sandbox sandbox, boolean directory, String from, String target) throws IOException {
        refuseExisting(sandbox, target);
        List<Entry> plan = new java.util.ArrayList<>();
        if (directory) {
            plan.add(new Entry(from, target, true, 0));
            collect(sandbox, from, target, plan);
        } else {
            FileEntry self = sandbox.fileList(parent(from)).stream().filter(e -> e.path().equals(from)).findFirst()
                    .orElseThrow(() -> new SandboxNotFoundException(from + " is gone; refresh the tree"));
            check(self);
            plan.add(new Entry(from, target, false, self.size()));
        }
        Path local = Files.createTempFile("sandboxops-move-", ".part");
        try {
            for (Entry e : plan) {
                if (e.directory()) {
                    makeFolder(sandbox, e.to());
                } else {
                    try (OutputStream out = Files.newOutputStream(local)) {
                        sandbox.fileDownload(e.from(), out, TransferProgress.NONE);
                    }
                    long size = Files.size(local);
                    try (InputStream in = Files.newInputStream(local)) {
                        if (sandbox.fileUpload(in, size, e.to(), TransferProgress.NONE) != size) {
                            throw new IOException("the copy of " + e.from() + " is incomplete");
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException failure) {
            try {
                if (sandbox.fileExists(target)) {
                    sandbox.fileDelete(target);
                }
            } catch (RuntimeException cleanup) {
                failure.addSuppressed(cleanup);
            }
            throw failure;
        } finally {
            Files.deleteIfExists(local);
        }
        sandbox.fileDelete(from);
    }

    private static void collect(Sandbox sandbox, String from, String to, List<Entry> plan) {
        for (FileEntry e : sandbox.fileList(from)) {
            check(e);
            String target = child(to, e.name());
            plan.add(new Entry(e.path(), target, e.isDirectory(), e.size()));
            if (e.isDirectory()) {
                collect(sandbox, e.path(), target, plan);
            }
        }
    }

    private static void check(FileEntry e) {
        if (e.type() == FileEntry.Type.SYMLINK || e.type() == FileEntry.Type.OTHER) {
            throw new SandboxInvalidInputException(e.path() + " is a link or special file, which this copy-based move would not keep; "
                    + "move it with mv in the Console tab");
        }
        if (e.type() == FileEntry.Type.FILE && (e.mode() & 0111) != 0) {
            throw new SandboxInvalidInputException(e.path() + " is executable (mode " + Integer.toOctalString(e.mode())
                    + "), which this copy-based move would not keep; move it with mv in the Console tab");
        }
    }

    private static String child(String directory, String name) {
        return (directory.endsWith("/") ? directory : directory + "/") + name;
    }

    private static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    private static String baseName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
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

    /** Whether the selected entry may be renamed, moved or deleted: writes allowed, and it is not the tree's root. */
    public BooleanBinding canChangeSelectedProperty() {
        return canChangeSelected;
    }

    public ObservableList<Transfer> transfers() {
        return transfers;
    }
}
