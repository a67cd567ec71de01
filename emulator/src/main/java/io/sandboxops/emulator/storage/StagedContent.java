package io.sandboxops.emulator.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.zip.CRC32C;

/**
 * Bytes written to a temporary file while their CRC32C and MD5 are computed, waiting to become the new
 * generation of an object. Appending in pieces is what a resumable upload does.
 */
final class StagedContent implements AutoCloseable {

    private final Path file;
    private final OutputStream out;
    private final CRC32C crc = new CRC32C();
    private final MessageDigest md5;
    private long size;
    private boolean sealed;

    StagedContent(Path file) {
        this.file = file;
        try {
            this.out = Files.newOutputStream(file);
            this.md5 = MessageDigest.getInstance("MD5");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is part of every JDK", e);
        }
    }

    /** Appends at most {@code limit} bytes of {@code in} ({@code -1}: all of it); returns how many were read. */
    long append(InputStream in, long limit) throws IOException {
        byte[] buf = new byte[256 * 1024];
        long total = 0;
        while (limit < 0 || total < limit) {
            int want = limit < 0 ? buf.length : (int) Math.min(buf.length, limit - total);
            int n = in.read(buf, 0, want);
            if (n < 0) {
                break;
            }
            out.write(buf, 0, n);
            crc.update(buf, 0, n);
            md5.update(buf, 0, n);
            total += n;
        }
        size += total;
        return total;
    }

    void append(byte[] bytes, int offset, int length) throws IOException {
        out.write(bytes, offset, length);
        crc.update(bytes, offset, length);
        md5.update(bytes, offset, length);
        size += length;
    }

    long size() {
        return size;
    }

    Path file() {
        return file;
    }

    /** Closes the file; from now on the hashes are final. */
    StagedContent seal() throws IOException {
        if (!sealed) {
            out.close();
            sealed = true;
        }
        return this;
    }

    String crc32c() {
        return crc32cBase64(crc.getValue());
    }

    String md5Hash() {
        return Base64.getEncoder().encodeToString(((MessageDigest) cloneDigest()).digest());
    }

    static String crc32cBase64(long value) {
        // The JSON API carries CRC32C as the base64 of its four big-endian bytes.
        return Base64.getEncoder().encodeToString(ByteBuffer.allocate(4).putInt((int) value).array());
    }

    private Object cloneDigest() {
        try {
            return md5.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            seal();
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // A leftover temp file is harmless; it is swept when the store starts.
        }
    }
}
