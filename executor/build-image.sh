#!/bin/bash
# Builds the executor image offline and tags it sandboxops/executor:latest (or $IMAGE):
#   executor/build-image.sh                      # base: sandboxops/debian-base:bookworm (local, never pulled)
#   BASE_IMAGE=debian:bookworm-slim executor/build-image.sh
# The jar comes from Maven (offline when MAVEN_OFFLINE=1, the default), the runtime from the host's jlink.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
image=${IMAGE:-sandboxops/executor:latest}
base=${BASE_IMAGE:-sandboxops/debian-base:bookworm}
jdk=${JLINK_JDK:-${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}}
offline=$([ "${MAVEN_OFFLINE:-1}" = 1 ] && echo -o || true)

if ! docker image inspect "$base" >/dev/null 2>&1 && [ "${ALLOW_PULL:-0}" != 1 ]; then
  echo "build-image: base image $base is not in the local Docker engine (and ALLOW_PULL is not 1)" >&2
  exit 2
fi

(cd "$repo" && mvn -B -q $offline -pl sandbox-core,executor -am package -DskipTests)

ctx=$here/target/image
rm -rf "$ctx"
mkdir -p "$ctx"
cp "$here/target/executor.jar" "$ctx/"
cp -r "$here/target/lib" "$ctx/lib"
# The modules the executor and its libraries use (gRPC/Netty, the Storage client, Jackson, logback).
"$jdk/bin/jlink" --output "$ctx/runtime" --strip-debug --no-header-files --no-man-pages --compress=2 \
  --add-modules java.base,java.logging,java.naming,java.net.http,java.sql,java.management,java.xml,java.security.jgss,jdk.crypto.ec,jdk.unsupported,jdk.naming.dns
cp "$here/Dockerfile" "$ctx/"

docker build --quiet --build-arg BASE_IMAGE="$base" -t "$image" "$ctx" >/dev/null
size=$(docker image inspect -f '{{.Size}}' "$image")
echo "built $image on $base: $((size / 1000000)) MB"
