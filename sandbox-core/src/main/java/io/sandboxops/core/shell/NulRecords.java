package io.sandboxops.core.shell;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Reads the NUL-separated output of the engine's scripts: fields, or key/value pairs. */
public final class NulRecords {
    private NulRecords() {
    }

    /** Splits at NUL; a trailing NUL does not make an empty last field. */
    public static List<String> fields(byte[] bytes) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                out.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        if (start < bytes.length) {
            out.add(new String(bytes, start, bytes.length - start, StandardCharsets.UTF_8));
        }
        return out;
    }

    /** Pairs of fields as key/value entries, in order (keys may repeat). */
    public static List<Map.Entry<String, String>> pairs(byte[] bytes) {
        List<String> f = fields(bytes);
        List<Map.Entry<String, String>> out = new ArrayList<>(f.size() / 2);
        for (int i = 0; i + 1 < f.size(); i += 2) {
            out.add(Map.entry(f.get(i), f.get(i + 1)));
        }
        return out;
    }
}
