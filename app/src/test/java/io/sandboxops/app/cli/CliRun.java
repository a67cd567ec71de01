package io.sandboxops.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/** One sandboxctl command line run in this JVM, as a new process would run it: its status, stdout and stderr. */
record CliRun(int status, String out, String err) {
    private static final ObjectMapper JSON = new ObjectMapper();

    JsonNode json() throws Exception {
        return JSON.readTree(out);
    }

    static CliRun ctl(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = SandboxCtl.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new CliRun(status, out.toString(), err.toString());
    }

    /** With {@code stdin} as the standard input (for {@code file write}). */
    static CliRun ctlWithStdin(String stdin, String... args) {
        InputStream saved = System.in;
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        try {
            return ctl(args);
        } finally {
            System.setIn(saved);
        }
    }
}
