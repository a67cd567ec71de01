package io.sandboxops.app.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The {@code --json} switch every verb has, and the printing that follows from it. */
final class Output {
    private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** Prints {@code value} as one JSON document when --json is on, else {@code text} when it is not null. */
    void print(Object value, String text) {
        if (json) {
            try {
                out().println(JSON.writeValueAsString(value));
            } catch (JsonProcessingException e) {
                throw new CliException("cannot print the result as JSON: " + e.getOriginalMessage(), e);
            }
        } else if (text != null) {
            out().print(text.endsWith("\n") || text.isEmpty() ? text : text + "\n");
        }
        out().flush();
    }

    /** An insertion-ordered map, for JSON objects whose field order is part of the interface. */
    static Map<String, Object> object(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }
}
