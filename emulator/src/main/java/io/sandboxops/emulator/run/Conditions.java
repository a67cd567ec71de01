package io.sandboxops.emulator.run;

import com.google.cloud.run.v2.Condition;
import com.google.protobuf.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Builds and replaces the typed conditions Cloud Run resources report. */
final class Conditions {

    private Conditions() {
    }

    static Condition of(String type, Condition.State state, String message) {
        return Condition.newBuilder()
                .setType(type)
                .setState(state)
                .setMessage(message)
                .setLastTransitionTime(ts(Instant.now()))
                .setSeverity(Condition.Severity.SEVERITY_UNSPECIFIED)
                .build();
    }

    /** Replaces the condition of the same type, or appends it. */
    static List<Condition> put(List<Condition> conditions, Condition c) {
        List<Condition> out = new ArrayList<>();
        boolean replaced = false;
        for (Condition existing : conditions) {
            if (existing.getType().equals(c.getType())) {
                out.add(c);
                replaced = true;
            } else {
                out.add(existing);
            }
        }
        if (!replaced) {
            out.add(c);
        }
        return out;
    }

    static Timestamp ts(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }

    static Instant instant(Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }
}
