package io.sandboxops.executor;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The executor's structured log: one JSON object a line on stdout, which Cloud Logging turns into a
 * {@code jsonPayload} with {@code severity} honoured, so queries can filter on {@code jsonPayload.event},
 * {@code jsonPayload.session_id} and {@code jsonPayload.duration_ms}.
 */
final class JsonLog {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final PrintStream out;
    private final String executionId;
    private final String sessionId;

    JsonLog(PrintStream out, String executionId, String sessionId) {
        this.out = out;
        this.executionId = executionId;
        this.sessionId = sessionId;
    }

    void info(String event, Object... fields) {
        write("INFO", event, fields);
    }

    void warn(String event, Object... fields) {
        write("WARNING", event, fields);
    }

    void error(String event, Object... fields) {
        write("ERROR", event, fields);
    }

    /** @param fields name, value, name, value, … */
    private void write(String severity, String event, Object... fields) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("severity", severity);
        line.put("time", Instant.now().toString());
        line.put("event", event);
        line.put("execution_id", executionId);
        line.put("session_id", sessionId);
        for (int i = 0; i + 1 < fields.length; i += 2) {
            line.put(String.valueOf(fields[i]), fields[i + 1]);
        }
        try {
            String text = JSON.writeValueAsString(line);
            synchronized (out) {
                out.println(text);
                out.flush();
            }
        } catch (JsonProcessingException e) {
            out.println("{\"severity\":\"ERROR\",\"event\":\"log-failed\"}");
        }
    }
}
