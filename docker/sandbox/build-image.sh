#!/bin/bash
# Builds the default sandbox image and tags it sandboxops/sandbox:latest (or $IMAGE):
#   docker/sandbox/build-image.sh                 # base: sandboxops/debian-base:bookworm (.ci/docker-up makes it)
#   BASE_IMAGE=debian:bookworm-slim ALLOW_PULL=1 docker/sandbox/build-image.sh
# The toolbox comes from Debian's mirror through the host's network (docker build --network=host); no image
# registry is needed. Idempotent: docker build runs only when the inputs' fingerprint (base image id, Dockerfile,
# toolbox.packages) differs from the one labelled on the existing image. FORCE=1 rebuilds.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
image=${IMAGE:-${SANDBOX_IMAGE:-sandboxops/sandbox:latest}}
base=${BASE_IMAGE:-sandboxops/debian-base:bookworm}
force=${FORCE:-0}
label=io.sandboxops.sandbox.inputs
DOCKER=${DOCKER:-docker}

if ! base_id=$("$DOCKER" image inspect -f '{{.Id}}' "$base" 2>/dev/null); then
  if [ "${ALLOW_PULL:-0}" != 1 ]; then
    echo "build-image: base image $base is not in the local Docker engine; run .ci/docker-up (or set ALLOW_PULL=1)" >&2
    exit 2
  fi
  base_id=$base
fi
fingerprint=$( { echo "base $base_id"; cd "$here" && sha256sum Dockerfile toolbox.packages; } | sha256sum | cut -d' ' -f1)
current=$("$DOCKER" image inspect -f "{{index .Config.Labels \"$label\"}}" "$image" 2>/dev/null || true)
if [ "$force" != 1 ] && [ "$current" = "$fingerprint" ]; then
  echo "$image is current ($(( $("$DOCKER" image inspect -f '{{.Size}}' "$image") / 1000000 )) MB)"
  exit 0
fi
log=$(mktemp)
if ! "$DOCKER" build --network=host --build-arg BASE_IMAGE="$base" --label "$label=$fingerprint" -t "$image" \
     -f "$here/Dockerfile" "$here" >"$log" 2>&1; then
  tail -30 "$log" >&2
  echo "build-image: docker build of $image failed (above); it fetches Debian packages from deb.debian.org and security.debian.org" >&2
  rm -f "$log"
  exit 1
fi
rm -f "$log"
echo "built $image on $base: $(( $("$DOCKER" image inspect -f '{{.Size}}' "$image") / 1000000 )) MB"
