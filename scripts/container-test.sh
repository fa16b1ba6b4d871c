#!/usr/bin/env bash
# Runs the container-provider tests (test/testing/container.test.ts) for real, also on a machine
# where no Docker engine runs and no image can be pulled:
# 1. uses the Docker engine that answers, or starts a private dockerd (root needed; installs
#    Debian's docker.io if dockerd is missing) on its own socket, so that other test runs on
#    this machine do not see it and keep their provider;
# 2. uses $ZOOKEEPER_IMAGE if set, or builds a local image from this machine's Java and ZooKeeper
#    (scripts/build-zookeeper-image.sh);
# 3. runs the tests, failing (not skipping) if Docker does not answer them.
#
#   bash scripts/container-test.sh [extra vitest args]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

state=${ZKH_DOCKER_DIR:-/tmp/zkh-docker}
started_dockerd=

stop_dockerd() {
  if [[ -n $started_dockerd ]] && kill -0 "$started_dockerd" 2>/dev/null; then
    kill "$started_dockerd"
    for _ in $(seq 1 50); do kill -0 "$started_dockerd" 2>/dev/null || break; sleep 0.2; done
    # dockerd leaves its default network namespace mounted, which would keep $state undeletable.
    umount "$state/exec/netns/default" 2>/dev/null || true
  fi
}
trap stop_dockerd EXIT

if ! timeout 10 docker info >/dev/null 2>&1; then
  export DOCKER_HOST=unix://$state/docker.sock
  if ! timeout 10 docker info >/dev/null 2>&1; then
    [[ $(id -u) -eq 0 ]] || { echo "container-test.sh: starting dockerd needs root" >&2; exit 1; }
    if ! command -v dockerd >/dev/null; then
      apt-get update
      DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends docker.io
    fi
    mkdir -p "$state"
    # No iptables or bridge: the sandboxes this runs in often cannot set them up, and the
    # provider uses host networking anyway.
    dockerd --iptables=false --ip6tables=false --bridge=none \
      -H "$DOCKER_HOST" --data-root "$state/data" --exec-root "$state/exec" \
      --pidfile "$state/docker.pid" >"$state/dockerd.log" 2>&1 &
    started_dockerd=$!
    for _ in $(seq 1 100); do timeout 5 docker info >/dev/null 2>&1 && break; sleep 0.2; done
    timeout 5 docker info >/dev/null 2>&1 || {
      echo "container-test.sh: dockerd did not come up; its log:" >&2
      tail -20 "$state/dockerd.log" >&2
      exit 1
    }
  fi
fi

if [[ -z ${ZOOKEEPER_IMAGE:-} ]]; then
  export ZOOKEEPER_IMAGE=zookeeper-recipes/zookeeper:local
  docker image inspect "$ZOOKEEPER_IMAGE" >/dev/null 2>&1 ||
    bash scripts/build-zookeeper-image.sh "$ZOOKEEPER_IMAGE"
fi

# Ryuk (testcontainers' reaper) is an image to pull; the harness removes its containers itself.
export TESTCONTAINERS_RYUK_DISABLED=${TESTCONTAINERS_RYUK_DISABLED:-true}
# Inside a container, testcontainers looks for the host via the `bridge` network, which a
# dockerd without bridge lacks; with host networking the servers are on 127.0.0.1 anyway.
export TESTCONTAINERS_HOST_OVERRIDE=${TESTCONTAINERS_HOST_OVERRIDE:-127.0.0.1}
export ZOOKEEPER_REQUIRE_DOCKER=1
npx vitest run test/testing/container.test.ts "$@"
