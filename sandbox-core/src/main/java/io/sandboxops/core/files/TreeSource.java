package io.sandboxops.core.files;

import java.io.IOException;
import java.io.InputStream;

/** The entries of a directory tree, one at a time, with the content of each file ({@link LocalTreeWriter}). */
public interface TreeSource extends AutoCloseable {

    /** The next entry, or null after the last. */
    TreeEntry next() throws IOException;

    /**
     * The content of the entry {@link #next} returned last, a {@link TreeEntry.Kind#FILE}. It may run longer or
     * shorter than the entry announced; the writer checks. Closing it is the writer's.
     */
    InputStream content() throws IOException;

    @Override
    void close() throws IOException;
}
