package io.sandboxops.app.console.files;

import java.time.Instant;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/** A file or directory of the session's tree; a directory's children are read when it is first expanded. */
public final class FileNode {
    private final String name;
    private final String path;
    private final boolean directory;
    private final long size;
    private final Instant modified;
    private final ObservableList<FileNode> children = FXCollections.observableArrayList();
    private boolean loaded;

    public FileNode(String name, String path, boolean directory, long size, Instant modified) {
        this.name = name;
        this.path = path;
        this.directory = directory;
        this.size = size;
        this.modified = modified;
    }

    public String name() {
        return name;
    }

    public String path() {
        return path;
    }

    public boolean isDirectory() {
        return directory;
    }

    public long size() {
        return size;
    }

    public Instant modified() {
        return modified;
    }

    /** Empty until {@link FilesViewModel#load} read them. */
    public ObservableList<FileNode> children() {
        return children;
    }

    public boolean isLoaded() {
        return loaded;
    }

    void setChildren(java.util.List<FileNode> nodes) {
        children.setAll(nodes);
        loaded = true;
    }

    @Override
    public String toString() {
        return name;
    }
}
