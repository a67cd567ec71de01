# Puts staged file $1 at path $2 with mode $3 (octal), as the sandbox user: it creates the parent directories
# and replaces what is at $2 with the user's own rights, whatever links the sandbox put on the way.
# Then it checks that the file is there, as the sandbox's commands see it, with the staged size: the engine's archive
# API writes under a tmpfs or another mount, not into it, and says nothing (exit 5: the staged copy is not visible
# here; 6: the written file is not there afterwards).
set -e
if [ ! -f "$1" ]; then
  printf 'the staged copy of %s is not visible inside the container: the engine wrote it somewhere the sandbox does not see\n' "$2" >&2
  exit 5
fi
mkdir -p -- "$(dirname -- "$2")"
install -m "$3" -T -- "$1" "$2"
want=$(stat -c %s -- "$1")
got=$(stat -L -c %s -- "$2" 2>/dev/null) || got=none
if [ ! -f "$2" ] || [ "$want" != "$got" ]; then
  printf '%s is not there after the write (%s bytes written, found: %s): it is not on the filesystem the sandbox sees\n' "$2" "$want" "$got" >&2
  exit 6
fi
