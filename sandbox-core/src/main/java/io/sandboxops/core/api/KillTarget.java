package io.sandboxops.core.api;

import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Which background processes {@link Sandbox#killBackgroundProcess} ends. */
public sealed interface KillTarget {

    /** @return whether this target names {@code process} */
    boolean matches(BackgroundProcess process);

    /** One process, by pid. */
    record Pid(long pid) implements KillTarget {
        @Override
        public boolean matches(BackgroundProcess process) {
            return process.pid() == pid;
        }
    }

    /** Every background process started by one session. */
    record Session(String sessionId) implements KillTarget {
        public Session {
            SessionIds.requireValid(sessionId);
        }

        @Override
        public boolean matches(BackgroundProcess process) {
            return process.sessionId().equals(sessionId);
        }
    }

    /** Every background process whose command matches the regex (a find, not a full match). */
    record Matching(Pattern pattern) implements KillTarget {
        public Matching {
            Objects.requireNonNull(pattern, "pattern");
        }

        @Override
        public boolean matches(BackgroundProcess process) {
            return pattern.matcher(process.command()).find();
        }
    }

    /** Every background process of the sandbox. */
    record All() implements KillTarget {
        @Override
        public boolean matches(BackgroundProcess process) {
            return true;
        }
    }

    static KillTarget pid(long pid) {
        return new Pid(pid);
    }

    static KillTarget session(String sessionId) {
        return new Session(sessionId);
    }

    static KillTarget all() {
        return new All();
    }

    /**
     * @throws SandboxInvalidInputException when {@code regex} does not compile
     */
    static KillTarget matching(String regex) {
        try {
            return new Matching(Pattern.compile(regex));
        } catch (PatternSyntaxException e) {
            throw new SandboxInvalidInputException("invalid pattern: " + e.getDescription() + " near index " + e.getIndex() + " of \"" + regex + "\"", e);
        }
    }
}
