package io.sandboxops.core.files;

import io.sandboxops.core.api.SandboxInvalidInputException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/** Paths inside a sandbox: always Unix, made absolute and normalized before they go anywhere. */
public final class SandboxPaths {
    /** Linux's PATH_MAX, the terminating NUL included: no system call takes a longer path. */
    public static final int PATH_MAX = 4096;

    private SandboxPaths() {
    }

    /**
     * @param workdir the directory relative paths start from
     * @return {@code path} made absolute and normalized ({@code .} and {@code ..} resolved, no trailing slash)
     * @throws SandboxInvalidInputException for an empty path, one with a NUL character, or one of {@link #PATH_MAX} bytes
     *                                      or more once absolute (which also bounds every walk along its elements)
     */
    public static String resolve(String workdir, String path) {
        if (path == null || path.isEmpty()) {
            throw new SandboxInvalidInputException("a path is required");
        }
        if (path.indexOf('\0') >= 0) {
            throw new SandboxInvalidInputException("a path cannot contain a NUL character");
        }
        String full = path.startsWith("/") ? path : workdir + "/" + path;
        Deque<String> parts = new ArrayDeque<>();
        for (String part : full.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                parts.pollLast();
            } else {
                parts.addLast(part);
            }
        }
        String resolved = "/" + String.join("/", parts);
        int bytes = resolved.getBytes(StandardCharsets.UTF_8).length;
        if (bytes >= PATH_MAX) {
            throw new SandboxInvalidInputException("the path is " + bytes + " bytes long once absolute; a path takes fewer than " + PATH_MAX
                    + " bytes (PATH_MAX). Use a shorter one, or work from a directory further down with exec");
        }
        return resolved;
    }

    /** The parent directory of a normalized absolute path ({@code /} for {@code /x}). */
    public static String parent(String absolute) {
        int slash = absolute.lastIndexOf('/');
        return slash <= 0 ? "/" : absolute.substring(0, slash);
    }

    /** The last element of a normalized absolute path. */
    public static String name(String absolute) {
        return absolute.substring(absolute.lastIndexOf('/') + 1);
    }
}
