#!/bin/bash
# Builds the local cloud's image offline and tags it sandboxops/local-cloud:latest (or $IMAGE):
#   emulator/build-image.sh                      # base: sandboxops/debian-base:bookworm (local, never pulled)
#   BASE_IMAGE=debian:bookworm-slim ALLOW_PULL=1 emulator/build-image.sh
# As executor/build-image.sh: Maven runs only when a source or POM is newer than the jar, jlink only when the module
# list or the JDK changed, docker build only when the inputs' fingerprint differs from the existing image's label.
# FORCE=1 rebuilds everything; MAVEN_OFFLINE=1 runs Maven offline.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
image=${IMAGE:-sandboxops/local-cloud:latest}
base=${BASE_IMAGE:-sandboxops/debian-base:bookworm}
jdk=${JLINK_JDK:-${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}}
offline=$([ "${MAVEN_OFFLINE:-0}" = 1 ] && echo -o || true)
force=${FORCE:-0}
# jdeps --print-module-deps on the jar and lib/, plus the providers nothing names at compile time
# (jdk.naming.dns for gRPC's resolver, jdk.crypto.ec should a client library reach for TLS).
modules=${JLINK_MODULES:-java.base,java.compiler,java.desktop,java.logging,java.management,java.naming,java.net.http,java.security.jgss,java.sql,jdk.httpserver,jdk.unsupported,jdk.crypto.ec,jdk.naming.dns}
label=io.sandboxops.local-cloud.inputs

if ! base_id=$(docker image inspect -f '{{.Id}}' "$base" 2>/dev/null); then
  if [ "${ALLOW_PULL:-0}" != 1 ]; then
    echo "build-image: base image $base is not in the local Docker engine (and ALLOW_PULL is not 1)" >&2
    exit 2
  fi
  base_id=$base
fi

version=$(sed -n 's|^    <version>\(.*\)</version>|\1|p' "$here/pom.xml" | head -1)
jar=$here/target/emulator-$version.jar
stale_sources() {
  if [ ! -f "$jar" ] || [ ! -d "$here/target/lib" ]; then
    return 0
  fi
  [ -n "$(find "$repo/pom.xml" "$here/pom.xml" "$here/src/main" -newer "$jar" -print -quit)" ]
}
if [ "$force" = 1 ] || stale_sources; then
  (cd "$repo" && ./mvnw -B -q $offline -pl emulator package -DskipTests)
fi

ctx=$here/target/image
runtime=$here/target/jlink-runtime
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
  exit 0
fi

rm -rf "$ctx"
mkdir -p "$ctx"
cp "$jar" "$ctx/local-cloud.jar"
cp -r "$here/target/lib" "$ctx/lib"
cp -r "$runtime" "$ctx/runtime"
rm -f "$ctx/runtime/.key"
cp "$here/Dockerfile" "$ctx/"
docker build --quiet --build-arg BASE_IMAGE="$base" --label "$label=$fingerprint" -t "$image" "$ctx" >/dev/null
size=$(docker image inspect -f '{{.Size}}' "$image")
echo "built $image on $base: $((size / 1000000)) MB"
