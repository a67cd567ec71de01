package io.sandboxops.core.files;

import io.sandboxops.core.api.SandboxInvalidInputException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Paths on this machine that must stay inside one directory while a sandbox (an untrusted party) names what goes
 * there: a download's target, an executor's restored tree. Names are checked as text (no {@code ..}, no absolute
 * name, no NUL), and then against the disk: every directory on the way is a real directory, never a link, so a
 * write never goes through a link, whatever links the sandbox planted earlier. A link's target is judged by
 * following it on the disk as the kernel would, never by normalising its text ({@code s -> .} makes
 * {@code s/s/../..} two levels above where its text says).
 *
 * <p>The directories are the caller's alone while it works (a download target, an executor's files): nothing else
 * swaps a checked directory for a link between the check and the write.
 */
public final class ContainedPaths {
    /** As Linux's MAXSYMLINKS: more links than this in one path and the kernel gives up with ELOOP. */
    private static final int MAX_LINK_HOPS = 40;

    private ContainedPaths() {
    }

    /**
     * The elements of a relative name as a sandbox gave it, e.g. {@code a/b/c.txt}.
     *
     * @param backslashIsData whether {@code \} and {@code :} may be part of a name: they may on Linux and macOS,
     *                        where a name is written as it is; on Windows {@code ..\..\x} would climb and
     *                        {@code C:x} change drive
     * @throws SandboxInvalidInputException saying what is wrong with the name (the caller names the entry)
     */
    public static List<String> elements(String name, boolean backslashIsData) {
        if (name == null || name.isEmpty()) {
            throw new SandboxInvalidInputException("it has an empty name");
        }
        if (name.indexOf('\0') >= 0) {
            throw new SandboxInvalidInputException("its name holds a NUL character");
        }
        if (name.startsWith("/")) {
            throw new SandboxInvalidInputException("its name is absolute");
        }
        if (!backslashIsData && (name.indexOf('\\') >= 0 || name.indexOf(':') >= 0)) {
            throw new SandboxInvalidInputException("its name holds a backslash or a colon, which this machine reads as a directory separator"
                    + " or a drive");
        }
        List<String> out = new ArrayList<>();
        for (String part : name.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                throw new SandboxInvalidInputException(part.equals("..") ? "its name climbs with \"..\""
                        : "its name is not in plain form (an empty or \".\" element)");
            }
            out.add(part);
        }
        return out;
    }

    /** Whether {@code \} and {@code :} are ordinary characters in file names here. */
    public static boolean backslashIsData() {
        return java.io.File.separatorChar == '/';
    }

    /**
     * The directory {@code root/dirs...}, each element a real directory (not a link), created when missing.
     *
     * @param root   a directory the caller trusts
     * @param create whether to create missing directories; when false a missing one yields null
     * @return the directory, or null when missing and {@code create} is false
     * @throws SandboxInvalidInputException when an element is a link or not a directory
     */
    public static Path directory(Path root, List<String> dirs, boolean create) throws IOException {
        Path dir = root;
        for (String d : dirs) {
            dir = dir.resolve(d);
            BasicFileAttributes a = attributes(dir);
            if (a == null) {
                if (!create) {
                    return null;
                }
                try {
                    Files.createDirectory(dir);
                } catch (FileAlreadyExistsException raced) {
                    // created meanwhile: judged below like any existing one
                }
                a = attributes(dir);
            }
            if (a == null || a.isSymbolicLink()) {
                throw new SandboxInvalidInputException("it goes through " + root.relativize(dir) + ", which is a link");
            }
            if (!a.isDirectory()) {
                throw new SandboxInvalidInputException("it goes through " + root.relativize(dir) + ", which is not a directory");
            }
        }
        return dir;
    }

    /** What is at {@code p} itself (a link is not followed), or null when nothing is. */
    public static BasicFileAttributes attributes(Path p) throws IOException {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        }
    }

    /**
     * Whether a link in {@code dir} whose target reads {@code target} leads, on the disk as it is now, to
     * {@code realRoot} or below it. Links on the way are followed; {@code ..} goes to the real parent of where the
     * walk is. A missing element counts as the plain directory it would be if someone created it later (links in
     * the rest are still followed where they exist). A link that needs more than 40 links to resolve counts as
     * leading outside: Linux gives up there, but other systems follow more.
     *
     * @param realRoot the root as {@link Path#toRealPath} gives it
     * @param dir      a real directory (no links in it) under {@code realRoot}
     */
    public static boolean linkStaysInside(Path realRoot, Path dir, String target) throws IOException {
        if (target.isEmpty() || target.indexOf('\0') >= 0) {
            return false;
        }
        Path at = target.startsWith("/") ? realRoot.getRoot() : dir;
        Deque<String> todo = new ArrayDeque<>(List.of(target.split("/")));
        int hops = 0;
        while (!todo.isEmpty()) {
            String part = todo.pollFirst();
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                at = at.getParent() == null ? at : at.getParent();
                continue;
            }
            Path next = at.resolve(part);
            BasicFileAttributes a = attributesOnTheWay(next);
            if (a != null && a.isSymbolicLink()) {
                if (++hops > MAX_LINK_HOPS) {
                    return false;
                }
                String hop = Files.readSymbolicLink(next).toString();
                List<String> parts = List.of(hop.split("/"));
                for (int i = parts.size() - 1; i >= 0; i--) {
                    todo.addFirst(parts.get(i));
                }
                if (hop.startsWith("/")) {
                    at = realRoot.getRoot();
                }
                continue;
            }
            at = next;
        }
        return at.startsWith(realRoot);
    }

    /** A sandbox's text made safe to print or log: control characters escaped, at most 200 characters. */
    public static String printable(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        text.codePoints().limit(200).forEach(c -> {
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                b.append(String.format("\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return text.codePointCount(0, text.length()) > 200 ? b + "…" : b.toString();
    }

    /** As {@link #attributes}, with "not a directory" on the way (a file used as a directory) taken as nothing. */
    private static BasicFileAttributes attributesOnTheWay(Path p) throws IOException {
        try {
            return attributes(p);
        } catch (java.nio.file.FileSystemException e) {
            return null;
        }
    }
}
