package io.sandboxops.core.files;

import io.sandboxops.core.api.FileEntry;
import io.sandboxops.core.api.LineRange;
import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SearchMatch;
import io.sandboxops.core.api.TransferProgress;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * A {@link Sandbox} whose file half is {@link FileOperations} over its backend's {@link FileStore}: the one place
 * the file methods are wired, for every backend.
 */
public interface FileOperationsSandbox extends Sandbox {

    /** The file operations of this sandbox. */
    FileOperations fileOperations();

    @Override
    default String fileRead(String path, LineRange range) {
        return fileOperations().read(path, range);
    }

    @Override
    default void fileWrite(String path, String content, boolean append, boolean leadingNewline, boolean trailingNewline) {
        fileOperations().write(path, content, append, leadingNewline, trailingNewline);
    }

    @Override
    default boolean fileExists(String path) {
        return fileOperations().exists(path);
    }

    @Override
    default void fileDelete(String path) {
        fileOperations().delete(path);
    }

    @Override
    default List<FileEntry> fileList(String path) {
        return fileOperations().list(path);
    }

    @Override
    default List<SearchMatch> fileSearch(String path, String regex) {
        return fileOperations().search(path, regex);
    }

    @Override
    default List<String> fileFind(String dir, String glob) {
        return fileOperations().find(dir, glob);
    }

    @Override
    default int fileReplace(String path, String oldText, String newText) {
        return fileOperations().replace(path, oldText, newText);
    }

    @Override
    default long fileUpload(InputStream content, long size, String path, TransferProgress progress) {
        return fileOperations().upload(content, size, path, progress);
    }

    @Override
    default long fileDownload(String path, OutputStream out, TransferProgress progress) {
        return fileOperations().download(path, out, progress);
    }

    @Override
    default long fileDownload(String path, Path localTarget, TransferProgress progress) {
        return fileOperations().download(path, localTarget, progress);
    }
}
