#!/usr/bin/env bash
# One-line setup for the tests: make a ZooKeeper available, then install the npm dependencies.
#
#   bash scripts/setup.sh            # ZooKeeper (if needed) + npm ci
#   bash scripts/setup.sh --no-npm   # ZooKeeper only
#
# The test harness (src/testing) needs one of: ZOOKEEPER_CONNECT, a Docker engine, or a local
# install (ZOOKEEPER_HOME, or Debian's `zookeeper` package) plus Java. When none is there, this
# installs Java and Debian's `zookeeper` package with apt-get, as root or through sudo. It is
# idempotent: a second run installs nothing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

run_npm=1
for arg in "$@"; do
  case "$arg" in
    --no-npm) run_npm=0 ;;
    *) echo "usage: $0 [--no-npm]" >&2; exit 2 ;;
  esac
done

has_java() { [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]] || command -v java >/dev/null; }

has_zookeeper_jars() {
  if [[ -n "${ZOOKEEPER_HOME:-}" ]]; then
    compgen -G "$ZOOKEEPER_HOME/lib/zookeeper-[0-9]*.jar" >/dev/null ||
      compgen -G "$ZOOKEEPER_HOME/zookeeper-[0-9]*.jar" >/dev/null
  else
    [[ -f /usr/share/java/zookeeper.jar ]]
  fi
}

docker_answers() { command -v docker >/dev/null && timeout 10 docker info >/dev/null 2>&1; }

as_root() {
  if [[ $(id -u) -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo "$@"
  else
    echo "setup.sh: need root or sudo to run: $*" >&2
    exit 1
  fi
}

if [[ -n "${ZOOKEEPER_CONNECT:-}" ]]; then
  echo "setup.sh: ZOOKEEPER_CONNECT=$ZOOKEEPER_CONNECT is set; tests use that server"
elif has_zookeeper_jars && has_java; then
  echo "setup.sh: local ZooKeeper and Java found"
elif docker_answers; then
  echo "setup.sh: Docker answers; tests run ZooKeeper in containers"
else
  if [[ -n "${ZOOKEEPER_HOME:-}" ]]; then
    echo "setup.sh: ZOOKEEPER_HOME=$ZOOKEEPER_HOME has no ZooKeeper jars; unset it to use Debian's package" >&2
    exit 1
  fi
  command -v apt-get >/dev/null || {
    echo "setup.sh: no apt-get here: install Java and ZooKeeper 3.8, and set ZOOKEEPER_HOME" >&2
    exit 1
  }
  echo "setup.sh: installing Java and Debian's zookeeper package"
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends default-jre-headless zookeeper
fi

# The Java interop tests (test/interop) run real Apache Curator 5.4 beside our code: javac and
# Debian's Curator jars (the list is JAVA_APT_PACKAGES in test/interop/java.ts).
interop_packages=(openjdk-17-jdk-headless libcurator-client-java libcurator-framework-java
  libcurator-recipes-java libcurator-discovery-java libzookeeper-java libguava-java
  libjackson2-core-java libjackson2-databind-java libjackson2-annotations-java libslf4j-java
  libnetty-java)
if ! command -v javac >/dev/null || [[ ! -f /usr/share/java/curator-x-discovery.jar ]]; then
  if command -v apt-get >/dev/null; then
    echo "setup.sh: installing a JDK and Debian's Curator jars for the Java interop tests"
    as_root apt-get update
    as_root env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y --no-install-recommends "${interop_packages[@]}"
  else
    echo "setup.sh: no apt-get: the Java interop tests need javac and Curator 5.4 jars in /usr/share/java" >&2
  fi
fi

if [[ $run_npm -eq 1 ]]; then
  npm ci
fi
