# Streams regular file $1 as the sandbox user: its size in bytes and a newline, then exactly that many bytes.
# The file is opened once and looked at through that descriptor, so a link swapped in after the look changes
# nothing, and what the user cannot open is never read. Exit 2: missing; 3: not a regular file; 4: unreadable.
p=$1
if [ ! -e "$p" ]; then printf 'no such file: %s\n' "$p" >&2; exit 2; fi
if [ ! -f "$p" ]; then printf '%s is not a regular file\n' "$p" >&2; exit 3; fi
{ exec 3<"$p"; } 2>/dev/null || { printf 'permission denied: %s is not readable by the sandbox user\n' "$p" >&2; exit 4; }
if [ ! -f /proc/self/fd/3 ]; then printf '%s is not a regular file\n' "$p" >&2; exit 3; fi
size=$(stat -L -c %s /proc/self/fd/3) || exit 4
printf '%s\n' "$size"
exec head -c "$size" <&3
