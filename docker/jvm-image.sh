# Sourced by executor/build-image.sh and emulator/build-image.sh: the steps both take to put a jar, its libraries and a
# jlink'ed runtime into an image on the offline base. They set here, image, base, jdk, modules, label, force and jar.

# The base image's id, or the name itself when ALLOW_PULL=1 lets docker build fetch it.
base_image_id() {
  local id
  if ! id=$(docker image inspect -f '{{.Id}}' "$base" 2>/dev/null); then
    if [ "${ALLOW_PULL:-0}" != 1 ]; then
      echo "build-image: base image $base is not in the local Docker engine (and ALLOW_PULL is not 1);" \
           "build it first: docker/sandbox/build-image.sh for the sandbox image, .ci/docker-up for the Debian base" >&2
      exit 2
    fi
    id=$base
  fi
  printf '%s' "$id"
}

# $1: the jar's name in the image's build context. jlink runs only when the module list or the JDK changed, docker build
# only when the inputs' fingerprint (base, runtime, Dockerfile, jar, libraries) differs from the existing image's label.
build_jvm_image() {
  local ctx=$here/target/image runtime=$here/target/jlink-runtime base_id jdk_release runtime_key fingerprint current size
  base_id=$(base_image_id)
  jdk_release=$("$jdk/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.runtime.version = //p')
  runtime_key="$jdk_release $modules"
  if [ "$force" = 1 ] || [ ! -f "$runtime/.key" ] || [ "$(cat "$runtime/.key")" != "$runtime_key" ]; then
    rm -rf "$runtime"
    "$jdk/bin/jlink" --output "$runtime" --strip-debug --no-header-files --no-man-pages --compress=2 --add-modules "$modules"
    printf '%s' "$runtime_key" > "$runtime/.key"
  fi
  fingerprint=$( {
    echo "base $base_id"
    echo "runtime $runtime_key"
    sha256sum "$here/Dockerfile" "$jar" "$here"/target/lib/*.jar | sed "s|$here/||"
  } | sha256sum | cut -d' ' -f1)
  current=$(docker image inspect -f "{{index .Config.Labels \"$label\"}}" "$image" 2>/dev/null || true)
  if [ "$force" != 1 ] && [ "$current" = "$fingerprint" ]; then
    size=$(docker image inspect -f '{{.Size}}' "$image")
    echo "$image is current ($((size / 1000000)) MB)"
    return 0
  fi
  rm -rf "$ctx"
  mkdir -p "$ctx"
  cp "$jar" "$ctx/$1"
  cp -r "$here/target/lib" "$ctx/lib"
  cp -r "$runtime" "$ctx/runtime"
  rm -f "$ctx/runtime/.key"
  cp "$here/Dockerfile" "$ctx/"
  docker build --quiet --build-arg BASE_IMAGE="$base" --label "$label=$fingerprint" -t "$image" "$ctx" >/dev/null
  size=$(docker image inspect -f '{{.Size}}' "$image")
  echo "built $image on $base: $((size / 1000000)) MB"
}
