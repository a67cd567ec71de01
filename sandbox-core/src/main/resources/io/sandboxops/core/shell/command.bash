# One command, as ShellSession sends it (then its token on a line of its own). Kept short: bash reads a pipe a byte at a
# time. The restore is here, not in a function, so that the saved "declare" lines make globals.
__sbxP_c=__sbxP_CMD; __sbxP_pre __sbxP_PID; ( __sbxP_child; [[ -z $__sbxP_good ]] || builtin source "$__sbxP_good" >/dev/null 2>&1; __sbxP_RUN ) __sbxP_STDIN; __sbxP_end $? __sbxP_PID
