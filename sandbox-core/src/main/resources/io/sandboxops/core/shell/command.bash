# One command, as ShellSession sends it (then its token on a line of its own). Kept short: bash reads a pipe a byte at a
# time. The restore (the saved state, up to its NUL) is here, not in a function, so that its "declare" lines make globals.
__sbxP_c=__sbxP_CMD; __sbxP_pre __sbxP_PID; ( __sbxP_child; [[ -z $__sbxP_good ]] || { IFS= builtin read -r -d '' __sbxP_t < "$__sbxP_good"; builtin eval "$__sbxP_t"; } >/dev/null 2>&1; __sbxP_RUN ) __sbxP_STDIN; __sbxP_end $? __sbxP_PID
