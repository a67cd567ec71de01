# Describes path $1 as the sandbox user sees it, as NUL-separated key/value pairs:
# exists, type (file|directory|symlink|other), size, mode (octal), mtime (epoch s), readable, writable and
# resolved (the path with every link followed), and fs: the type of the filesystem it is on (stat -f %T), for a missing
# path that of its nearest existing ancestor. For a path that does not exist, writable says whether
# its nearest existing ancestor directory is writable (so the path could be created).
p=$1
kv() { printf '%s\0%s\0' "$1" "$2"; }
if [ -e "$p" ] || [ -L "$p" ]; then
  kv exists 1
  if [ -d "$p" ]; then kv type directory
  elif [ -f "$p" ]; then kv type file
  elif [ -L "$p" ]; then kv type symlink
  else kv type other
  fi
  kv resolved "$(readlink -f -- "$p"; printf x)"
  stat -L --printf 'size\0%s\0mode\0%a\0mtime\0%Y\0' -- "$p" 2>/dev/null \
    || stat --printf 'size\0%s\0mode\0%a\0mtime\0%Y\0' -- "$p"
  [ -r "$p" ] && kv readable 1 || kv readable 0
  [ -w "$p" ] && kv writable 1 || kv writable 0
  kv fs "$(stat -L -f -c %T -- "$p" 2>/dev/null)"
else
  kv exists 0
  a=$(dirname -- "$p")
  while [ ! -e "$a" ] && [ "$a" != / ]; do a=$(dirname -- "$a"); done
  [ -d "$a" ] && [ -w "$a" ] && [ -x "$a" ] && kv writable 1 || kv writable 0
  kv fs "$(stat -L -f -c %T -- "$a" 2>/dev/null)"
fi
exit 0
