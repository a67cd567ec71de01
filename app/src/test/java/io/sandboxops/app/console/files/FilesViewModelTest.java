package io.sandboxops.app.console.files;

import static org.assertj.core.api.Assertions.assertThat;

import io.sandboxops.app.console.testing.ViewModelFixture;
import io.sandboxops.core.api.Sandbox;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilesViewModelTest {
    private final ViewModelFixture f = new ViewModelFixture();
    private FilesViewModel vm;
    private long nanos;

    @TempDir
    Path local;

    @BeforeEach
    void setUp() {
        f.sandbox.putFile("/workspace/README.md", "# hello\n");
        f.sandbox.putFile("/workspace/src/main.py", "print('hi')\n");
        vm = new FilesViewModel(f.executor, f.dialogs, f.notifier, f.status, f.guard, f.session, () -> nanos);
        f.openSession();
    }

    private FileNode child(FileNode dir, String name) {
        return dir.children().stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void theTreeStartsAtTheWorkspaceDirectoriesFirstAndReadsADirectoryWhenAsked() {
        FileNode root = vm.rootProperty().get();
        assertThat(root.path()).isEqualTo("/workspace");
        assertThat(root.children()).extracting(FileNode::name).containsExactly("src", "README.md");
        FileNode src = child(root, "src");
        assertThat(src.isLoaded()).isFalse();
        vm.load(src);
        assertThat(src.children()).extracting(FileNode::path).containsExactly("/workspace/src/main.py");
    }

    @Test
    void aTextFileOpensEditsAndSaves() {
        vm.open(child(vm.rootProperty().get(), "README.md"));
        assertThat(vm.editorTextProperty().get()).isEqualTo("# hello\n");
        assertThat(vm.dirtyProperty().get()).isFalse();
        vm.editorTextProperty().set("# hello\nmore\n");
        assertThat(vm.dirtyProperty().get()).isTrue();
        vm.save();
        assertThat(f.sandbox.file("/workspace/README.md")).hasValue("# hello\nmore\n");
        assertThat(vm.dirtyProperty().get()).isFalse();
    }

    @Test
    void uploadsLandInTheSelectedDirectoryAndDownloadsComeBackIdentical() throws Exception {
        Path a = Files.writeString(local.resolve("a.txt"), "alpha");
        Path b = Files.write(local.resolve("b.bin"), new byte[] {0, 1, 2, (byte) 255});
        vm.selectedProperty().set(child(vm.rootProperty().get(), "src"));
        vm.upload(List.of(a, b), vm.uploadDirectory());
        assertThat(vm.transfers()).extracting(Transfer::state).containsOnly(Transfer.State.DONE);
        assertThat(f.sandbox.file("/workspace/src/a.txt")).hasValue("alpha");
        assertThat(f.notifier.lines()).containsExactly("DONE: Upload finished: /workspace/src/a.txt (5 B)",
                "DONE: Upload finished: /workspace/src/b.bin (4 B)");

        FileNode bin = child(child(vm.rootProperty().get(), "src"), "b.bin");
        Path back = local.resolve("back.bin");
        vm.download(bin, back);
        assertThat(Files.readAllBytes(back)).isEqualTo(new byte[] {0, 1, 2, (byte) 255});
        assertThat(local.resolve("back.bin.part")).doesNotExist();
        assertThat(f.notifier.lines()).last().isEqualTo("DONE: Download finished: " + back + " (4 B)");
    }

    @Test
    void progressShowsBytesDoneTotalAndSpeed() {
        Transfer t = new Transfer(Transfer.Direction.UPLOAD, "/workspace/big.bin", 2_000_000, 0);
        t.progress(1_000_000, 2_000_000, 2_000_000_000L);
        assertThat(t.progressProperty().get()).isEqualTo(0.5);
        assertThat(t.detailProperty().get()).isEqualTo("1.0 MB of 2.0 MB · 500 kB/s");
    }

    @Test
    void aFailedTransferIsAWarningNotice() {
        vm.download(new FileNode("gone.txt", "/workspace/gone.txt", false, 10, null), local.resolve("gone.txt"));
        assertThat(vm.transfers().get(0).state()).isEqualTo(Transfer.State.FAILED);
        assertThat(f.notifier.notices).singleElement().satisfies(n -> {
            assertThat(n.level()).isEqualTo(io.sandboxops.app.console.dialog.Notifier.Level.WARNING);
            assertThat(n.title()).isEqualTo("Download failed");
            assertThat(n.text()).startsWith(local.resolve("gone.txt") + ": ");
        });
    }

    @Test
    void anUploadOverTheLimitIsRefusedBeforeItStarts() throws Exception {
        Path huge = local.resolve("huge.bin");
        try (RandomAccessFile file = new RandomAccessFile(huge.toFile(), "rw")) {
            file.setLength(Sandbox.MAX_TRANSFER_BYTES + 1);
        }
        vm.upload(List.of(huge), "/workspace");
        Transfer t = vm.transfers().get(0);
        assertThat(t.state()).isEqualTo(Transfer.State.REFUSED);
        assertThat(t.detailProperty().get()).isEqualTo("refused: 500 MB is over the 500 MB limit");
        assertThat(f.sandbox.fileExists("/workspace/huge.bin")).isFalse();
    }

    @Test
    void aCancelledTransferEndsCancelledAndLeavesNoFile() throws Exception {
        Path big = Files.write(local.resolve("big.bin"), new byte[100_000]);
        // Cancel from the progress callback, as the cancel button would while the bytes flow.
        vm.transfers().addListener((javafx.collections.ListChangeListener<Transfer>) c -> {
            while (c.next()) {
                c.getAddedSubList().forEach(t -> t.progressProperty().addListener((obs, old, now) -> t.cancel()));
            }
        });
        vm.upload(List.of(big), "/workspace");
        assertThat(vm.transfers().get(0).state()).isEqualTo(Transfer.State.CANCELLED);
        assertThat(f.sandbox.fileExists("/workspace/big.bin")).isFalse();

        f.sandbox.putFile("/workspace/data.txt", "x".repeat(50_000));
        Path target = local.resolve("data.txt");
        vm.download(new FileNode("data.txt", "/workspace/data.txt", false, 50_000, null), target);
        assertThat(vm.transfers().get(0).state()).isEqualTo(Transfer.State.CANCELLED);
        assertThat(target).doesNotExist();
        assertThat(local.resolve("data.txt.part")).doesNotExist();
        assertThat(f.notifier.notices).as("whoever cancelled knows").isEmpty();
    }

    @Test
    void aReadOnlyEnvironmentNeitherSavesNorUploads() throws Exception {
        vm.open(child(vm.rootProperty().get(), "README.md"));
        vm.editorTextProperty().set("changed");
        f.readOnly();
        assertThat(vm.canSaveProperty().get()).isFalse();
        vm.save();
        assertThat(f.sandbox.file("/workspace/README.md")).hasValue("# hello\n");
        vm.upload(List.of(Files.writeString(local.resolve("a.txt"), "a")), "/workspace");
        assertThat(f.sandbox.fileExists("/workspace/a.txt")).isFalse();
        assertThat(new String(Files.readAllBytes(local.resolve("a.txt")), StandardCharsets.UTF_8)).isEqualTo("a");
    }

    /** Issue 12, attack 5: production asks for the service name, as rollout and the CLI do, before a save or an upload. */
    @Test
    void onProductionSaveAndUploadNeedTheServiceNameTyped() throws Exception {
        f.production();
        vm.open(child(vm.rootProperty().get(), "README.md"));
        vm.editorTextProperty().set("changed");
        f.dialogs.typed = "prod";
        vm.save();
        assertThat(f.sandbox.file("/workspace/README.md")).hasValue("# hello\n");
        Path a = Files.writeString(local.resolve("a.txt"), "a");
        vm.upload(List.of(a), "/workspace");
        assertThat(f.sandbox.fileExists("/workspace/a.txt")).isFalse();
        f.dialogs.typed = ViewModelFixture.SERVICE;
        vm.save();
        assertThat(f.sandbox.file("/workspace/README.md")).hasValue("changed");
        vm.upload(List.of(a), "/workspace");
        assertThat(f.sandbox.fileExists("/workspace/a.txt")).isTrue();
    }

    @Test
    void fileNamesWithEscapeSequencesAreShownInert() {
        f.sandbox.putFile("/workspace/evil\u001b[2J\u001b]0;x\u0007.txt", "x");
        vm.openRoot();
        assertThat(vm.rootProperty().get().children()).extracting(FileNode::name)
                .noneMatch(n -> n.contains("\u001b") || n.contains("\u0007"))
                .contains("evil\\e[2J\\e]0;x\\a.txt");
    }

    @Test
    void aNewFileIsNamedInItsFolderAndANameThatLeavesItIsRefused() {
        f.dialogs.texts.add("../../etc/cron.d/evil");
        vm.newFile();
        assertThat(f.dialogs.shown).anyMatch(m -> m.startsWith("error: New file: A name cannot contain \"/\""));
        assertThat(f.sandbox.fileExists("/etc/cron.d/evil")).isFalse();
        f.dialogs.texts.add("..");
        vm.newFolder();
        assertThat(f.sandbox.fileExists("/workspace/..")).isFalse();
        f.dialogs.texts.add("notes.md");
        vm.newFile();
        assertThat(f.sandbox.file("/workspace/notes.md")).hasValue("");
        assertThat(vm.rootProperty().get().children()).extracting(FileNode::name).contains("notes.md");
    }

    @Test
    void aNewFolderIsEmptyAndAnExistingNameIsNotOverwritten() {
        f.dialogs.texts.add("build");
        vm.newFolder();
        assertThat(f.sandbox.fileList("/workspace/build")).isEmpty();
        f.dialogs.texts.add("README.md");
        vm.newFile();
        assertThat(f.sandbox.file("/workspace/README.md")).hasValue("# hello\n");
        assertThat(f.status.message()).contains("already exists");
    }

    @Test
    void renameCopiesThenRemovesTheOriginalAndTheTreeFollows() {
        f.dialogs.texts.add("GUIDE.md");
        vm.rename(child(vm.rootProperty().get(), "README.md"));
        assertThat(f.sandbox.file("/workspace/GUIDE.md")).hasValue("# hello\n");
        assertThat(f.sandbox.fileExists("/workspace/README.md")).isFalse();
        assertThat(vm.rootProperty().get().children()).extracting(FileNode::name).containsExactly("src", "GUIDE.md");
    }

    @Test
    void aFolderCannotBeMovedIntoItself() {
        FileNode src = child(vm.rootProperty().get(), "src");
        vm.move(src, src);
        assertThat(f.status.message()).contains("into itself");
        assertThat(f.sandbox.fileExists("/workspace/src/main.py")).isTrue();
    }

    @Test
    void deleteNamesWhatGoesAndAReadOnlyEnvironmentRefuses() {
        f.environment.set(new io.sandboxops.app.console.environment.ConsoleEnvironment("audit", io.sandboxops.app.console.environment.ConsoleEnvironment.Kind.GCP, false, true, "x"));
        vm.delete(child(vm.rootProperty().get(), "src"));
        assertThat(f.sandbox.fileExists("/workspace/src")).isTrue();
        assertThat(f.dialogs.shown).anyMatch(m -> m.contains("read-only"));
        f.environment.set(io.sandboxops.app.console.environment.ConsoleEnvironment.local());
        f.dialogs.answer = false;
        vm.delete(child(vm.rootProperty().get(), "README.md"));
        assertThat(f.sandbox.fileExists("/workspace/README.md")).isTrue();
        assertThat(f.dialogs.shown).anyMatch(m -> m.startsWith("confirm: Delete /workspace/README.md: Delete the file /workspace/README.md (8 B)?"));
        f.dialogs.answer = true;
        vm.delete(child(vm.rootProperty().get(), "README.md"));
        assertThat(f.sandbox.fileExists("/workspace/README.md")).isFalse();
    }

    @Test
    void theSizeIsReadAgainAfterASave() {
        vm.open(child(vm.rootProperty().get(), "README.md"));
        vm.editorTextProperty().set("# hello, and more\n");
        vm.save();
        assertThat(child(vm.rootProperty().get(), "README.md").size()).isEqualTo(18);
    }
}
