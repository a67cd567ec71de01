package io.sandboxops.core.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.api.SandboxInvalidInputException;
import io.sandboxops.core.api.SandboxTooLargeException;
import io.sandboxops.core.api.TransferProgress;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LocalTreeWriter} fed real tar streams as a hostile sandbox could shape them (the engine's archive API
 * passes names and links through as the sandbox made them): what reaches the disk stays inside the target.
 */
class LocalTreeWriterTest {
    @TempDir
    Path local;

    private Path target() {
        return local.resolve("download");
    }

    @Test
    void aLinkThatLeadsOutOnlyOnceALaterLinkExistsIsRemovedAndRefused() throws IOException {
        // "x -> a/../e" is the target's own e while "a" is missing; "a -> ." then makes "a/.." the target's parent.
        byte[] tar = tar(link("x", "a/../e"), link("a", "."), file("later.txt", "after"));
        assertThatThrownBy(() -> write(tar)).isInstanceOf(SandboxInvalidInputException.class)
                .hasMessageContaining("\"/tmp/t/x\"").hasMessageContaining("outside").hasMessageContaining("once the whole tree is in place");
        assertThat(target().resolve("x")).doesNotExist();
        assertNothingResolvesOutside();
    }

    @Test
    void namesThatClimbAreAbsoluteOrNotPlainAreRefused() throws IOException {
        for (String name : List.of("../escaped.txt", "./../escaped.txt", "a/../../escaped.txt", "/" + local.resolve("abs.txt"), "a//b.txt",
                "a/./b.txt")) {
            assertThatThrownBy(() -> write(tar(file(name, "bad")))).as(name).isInstanceOf(SandboxInvalidInputException.class)
                    .hasMessageContaining("refused");
        }
        assertOnlyTheTargetIsInLocal();
    }

    @Test
    void linksThatStayInsideAreKeptDanglingOrAbsoluteAlike() throws IOException {
        Files.createDirectories(target());
        String inside = target().toRealPath().resolve("a.txt").toString();
        write(tar(file("a.txt", "a"), link("absolute", inside), link("dangling", "not/there/yet"), dir("sub"), link("sub/up", "../a.txt")));
        assertThat(Files.readString(target().resolve("absolute"))).isEqualTo("a");
        assertThat(Files.readSymbolicLink(target().resolve("dangling"))).isEqualTo(Path.of("not/there/yet"));
        assertThat(Files.readString(target().resolve("sub/up"))).isEqualTo("a");
    }

    @Test
    void aDanglingLinkThatWouldClimbOutOnceItsDirectoryExistsIsRefused() throws IOException {
        assertThatThrownBy(() -> write(tar(link("later", "missing/../../escaped")))).isInstanceOf(SandboxInvalidInputException.class)
                .hasMessageContaining("outside");
    }

    @Test
    void backslashesAndColonsAreRefusedWhereTheyAreSeparators() {
        assertThatThrownBy(() -> ContainedPaths.elements("..\\..\\escaped.txt", false)).hasMessageContaining("backslash");
        assertThatThrownBy(() -> ContainedPaths.elements("C:escaped.txt", false)).hasMessageContaining("drive");
        assertThat(ContainedPaths.elements("a\\b:c.txt", true)).containsExactly("a\\b:c.txt");
    }

    @Test
    void aLinkCannotReplaceADirectoryAlreadyWrittenInto() throws IOException {
        byte[] tar = tar(dir("d"), file("d/f.txt", "in d"), link("d", "/etc"), file("d/g.txt", "through the link"));
        assertThatThrownBy(() -> write(tar)).isInstanceOf(SandboxInvalidInputException.class).hasMessageContaining("\"/tmp/t/d\"");
        assertThat(target().resolve("d")).isDirectory();
        assertThat(Files.readString(target().resolve("d/f.txt"))).isEqualTo("in d");
        assertNothingResolvesOutside();
    }

    @Test
    void nothingIsWrittenThroughALinkEvenOneThatStaysInside() throws IOException {
        byte[] tar = tar(dir("sub"), link("l", "sub"), file("l/f.txt", "through l"));
        assertThatThrownBy(() -> write(tar)).isInstanceOf(SandboxInvalidInputException.class).hasMessageContaining("l, which is a link");
        assertThat(target().resolve("sub")).isEmptyDirectory();
    }

    @Test
    void hardLinksCopyAnEarlierFileAndNothingElse() throws IOException {
        write(tar(file("a.txt", "shared"), hardLink("b.txt", "./a.txt")));
        assertThat(Files.readString(target().resolve("b.txt"))).isEqualTo("shared");
        assertThat(Files.isSymbolicLink(target().resolve("b.txt"))).isFalse();

        for (String original : List.of("../outside.txt", "/etc/hostname", "missing.txt", "dir")) {
            Files.createDirectories(local.resolve("again"));
            assertThatThrownBy(() -> new LocalTreeWriter("/tmp/t", local.resolve("again"), 1000, TransferProgress.NONE)
                    .write(new TarTreeSource(new ByteArrayInputStream(tar(dir("dir"), hardLink("h", original))))))
                    .as(original).isInstanceOf(SandboxInvalidInputException.class).hasMessageContaining("\"/tmp/t/h\"");
        }
    }

    @Test
    void devicesAndFifosAreRefusedByKind() throws IOException {
        assertThatThrownBy(() -> write(tar(special("tty", TarConstants.LF_CHR)))).isInstanceOf(SandboxInvalidInputException.class)
                .hasMessageContaining("\"/tmp/t/tty\"").hasMessageContaining("character device");
        assertThatThrownBy(() -> write(tar(special("disk", TarConstants.LF_BLK)))).hasMessageContaining("block device");
        assertThatThrownBy(() -> write(tar(special("pipe", TarConstants.LF_FIFO)))).hasMessageContaining("fifo");
        assertThat(target()).isEmptyDirectory();
    }

    @Test
    void bytesOverTheCapStopTheDownload() throws IOException {
        byte[] tar = tar(file("a.bin", "x".repeat(600)), file("b.bin", "y".repeat(600)));
        assertThatThrownBy(() -> new LocalTreeWriter("/tmp/t", target(), 1000, TransferProgress.NONE)
                .write(new TarTreeSource(new ByteArrayInputStream(tar)))).isInstanceOf(SandboxTooLargeException.class);
        assertThat(target().resolve("b.bin")).doesNotExist();
    }

    @Test
    void aTruncatedArchiveLeavesNoHalfWrittenFile() throws IOException {
        byte[] whole = tar(file("big.bin", "z".repeat(100_000)));
        byte[] cut = Arrays.copyOf(whole, 50_000);
        assertThatThrownBy(() -> write(cut)).isInstanceOf(SandboxException.class);
        try (Stream<Path> files = Files.list(target())) {
            assertThat(files.toList()).as("no .part- file, no big.bin").isEmpty();
        }
    }

    @Test
    void downloadingAgainReplacesFilesAndLinksAndReportsProgress() throws IOException {
        write(tar(file("a.txt", "one"), link("l", "a.txt")));
        List<Long> done = new ArrayList<>();
        long bytes = new LocalTreeWriter("/tmp/t", target(), 1000, (d, total) -> done.add(d))
                .write(new TarTreeSource(new ByteArrayInputStream(tar(file("a.txt", "two!"), link("l", "a.txt")))));
        assertThat(bytes).isEqualTo(4);
        assertThat(done).last().isEqualTo(4L);
        assertThat(Files.readString(target().resolve("l"))).isEqualTo("two!");
    }

    private long write(byte[] tar) {
        return new LocalTreeWriter("/tmp/t", target(), 1_000_000, TransferProgress.NONE).write(new TarTreeSource(new ByteArrayInputStream(tar)));
    }

    private void assertNothingResolvesOutside() throws IOException {
        Path root = target().toRealPath();
        try (Stream<Path> all = Files.walk(target())) {
            for (Path p : (Iterable<Path>) all::iterator) {
                if (Files.isSymbolicLink(p) && Files.exists(p)) {
                    assertThat(p.toRealPath()).as(p.toString()).startsWith(root);
                }
            }
        }
    }

    private void assertOnlyTheTargetIsInLocal() throws IOException {
        try (Stream<Path> children = Files.list(local)) {
            assertThat(children.map(p -> p.getFileName().toString()).toList()).isSubsetOf("download");
        }
    }

    // ---- archives as the engine would send them -------------------------------------------------------

    private interface Entry {
        void put(TarArchiveOutputStream tar) throws IOException;
    }

    private static byte[] tar(Entry... entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            TarArchiveEntry top = new TarArchiveEntry("./", TarConstants.LF_DIR);
            tar.putArchiveEntry(top);
            tar.closeArchiveEntry();
            for (Entry e : entries) {
                e.put(tar);
            }
        }
        return out.toByteArray();
    }

    private static Entry file(String name, String content) {
        return tar -> {
            byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry e = new TarArchiveEntry(name, true);
            e.setSize(bytes.length);
            tar.putArchiveEntry(e);
            tar.write(bytes);
            tar.closeArchiveEntry();
        };
    }

    private static Entry dir(String name) {
        return tar -> {
            tar.putArchiveEntry(new TarArchiveEntry(name + "/", true));
            tar.closeArchiveEntry();
        };
    }

    private static Entry link(String name, String target) {
        return tar -> {
            TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK, true);
            e.setLinkName(target);
            tar.putArchiveEntry(e);
            tar.closeArchiveEntry();
        };
    }

    private static Entry hardLink(String name, String original) {
        return tar -> {
            TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_LINK, true);
            e.setLinkName(original);
            tar.putArchiveEntry(e);
            tar.closeArchiveEntry();
        };
    }

    private static Entry special(String name, byte kind) {
        return tar -> {
            tar.putArchiveEntry(new TarArchiveEntry(name, kind, true));
            tar.closeArchiveEntry();
        };
    }
}
