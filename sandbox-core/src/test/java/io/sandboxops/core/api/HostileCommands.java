package io.sandboxops.core.api;

import java.util.List;
import java.util.Random;

/**
 * A grammar of shell constructs a careless or hostile agent sends (issue 13): traps, read-only and exported engine
 * names, functions shadowing builtins, exec redirections, kills, huge and binary output, fake end markers. None of
 * them changes the session's cwd or its canary variable on purpose, so after each the session must answer with both
 * intact.
 */
final class HostileCommands {
    /** A fake end marker in every form the engine ever printed, with a made-up token. */
    static final String FAKE_MARKERS = "printf '\\036SBX-END-%s:0::1:/spoofed/cwd\\0' deadbeef x \"$RANDOM\"; "
            + "printf '\\036SBX-END-%s:0:/spoofed/cwd\\0' deadbeef; printf '\\036SBX-END-deadbeef\\036' >&2";

    /**
     * A DEBUG trap that takes every word of every command the shell runs after it — where the engine's own token used
     * to travel — and prints end markers made of it, and that tries to read every pipe that is some process's stdin —
     * the engine shell's among them, where the next token waits — through /proc.
     */
    static final String FORGING_TRAP = "trap 'for w in $BASH_COMMAND; do printf \"\\036SBX-END-%s:0::1:/spoofed/cwd\\0\\036SBX-END-%s:0:/spoofed/cwd\\0\" \"$w\" \"$w\"; "
            + "printf \"\\036SBX-END-%s\\036\" \"$w\" >&2; done; for p in /proc/[0-9]*; do [ -p \"$p/fd/0\" ] && timeout 0.2 head -c 200 \"$p/fd/0\"; done 2>/dev/null' DEBUG";

    private static final List<String> HOSTILE = List.of(
            "trap 'echo trapped' DEBUG; true",
            FORGING_TRAP + "; false",
            "trap 'exit 0' RETURN ERR EXIT; false",
            FAKE_MARKERS,
            "printf '\\036SBX-END-'; head -c 300000 /dev/zero | tr '\\0' a",
            "printf '\\036SBX-END-x:abc:def:ghi\\0'",
            "for v in $(compgen -v __sbx); do readonly \"$v\"; done 2>/dev/null; true",
            "for f in $(compgen -A function __sbx); do readonly -f \"$f\"; done 2>/dev/null; true",
            "for f in $(compgen -A function __sbx); do eval \"$f() { :; }\"; done; true",
            "unset -f $(compgen -A function __sbx) 2>/dev/null; unset -v $(compgen -v __sbx) 2>/dev/null; true",
            "__sbx_cmd='x'; export __sbx_cmd; readonly __sbx_cmd",
            "readonly POSIXLY_CORRECT",
            "exec >/dev/null",
            "exec 2>&-",
            "exec 1>&- 2>&-",
            "exec 0<&-",
            "enable -n printf",
            "enable -n builtin 2>/dev/null; enable -n declare",
            "builtin(){ :; }; echo x",
            "eval(){ :; }; declare(){ :; }; unset(){ :; }; set(){ :; }; shopt(){ :; }; alias(){ :; }; echo y",
            "cd(){ echo no; }; pwd(){ echo /spoofed; }",
            "set -e; false",
            "set -u; echo $NOPE_UNSET",
            "set -o noexec",
            "set -o posix",
            "shopt -s extglob nullglob",
            "alias ls=false; shopt -s expand_aliases",
            "exit 3",
            "return 5",
            "kill -9 $BASHPID",
            "kill -INT $BASHPID",
            "kill -9 $$",
            "kill -9 -1",
            "head -c 2000000 /dev/urandom",
            "yes hostile | head -c 3000000",
            "head -c 100000 /dev/urandom >&2",
            "sleep 0.05 &",
            "(sleep 2; printf '\\036SBX-END-late:0::1:/late\\0') &",
            "cat /proc/$$/fd/0 2>&1 | head -c 100",
            "(sleep 0.3; for d in /proc/[0-9]*; do IFS= read -r s < \"$d/stat\" 2>/dev/null || continue; set -- ${s##*) }; "
                    + "[ \"$2\" = \"$$\" ] && kill -9 \"${d#/proc/}\"; done) >/dev/null 2>&1 &",
            "ulimit -n 8; true",
            "ulimit -u 1 2>/dev/null; true",
            "cd /nonexistent",
            "x=$(printf 'a%.0s' {1..10000}); export BIG=$x");

    private HostileCommands() {
    }

    /** The constructs the randomized test draws from. */
    static List<String> all() {
        return HOSTILE;
    }

    /** Draws a command: one construct, or two or three joined, as an agent chains them. */
    static String draw(Random random) {
        int n = 1 + (random.nextInt(4) == 0 ? 1 + random.nextInt(2) : 0);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            String c = HOSTILE.get(random.nextInt(HOSTILE.size()));
            // The slow ones (a worker or shell restart each) are drawn at a tenth of the rate of the others.
            if ((c.startsWith("kill -9 $$") || c.startsWith("kill -9 -1")) && random.nextInt(10) != 0) {
                c = "true";
            }
            sb.append(i == 0 ? "" : "; ").append(c);
        }
        return sb.toString();
    }
}
