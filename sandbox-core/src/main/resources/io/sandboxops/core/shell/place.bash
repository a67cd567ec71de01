# Puts staged file $1 at path $2 with mode $3 (octal), as the sandbox user: it creates the parent directories
# and replaces what is at $2 with the user's own rights, whatever links the sandbox put on the way.
set -e
mkdir -p -- "$(dirname -- "$2")"
exec install -m "$3" -T -- "$1" "$2"
