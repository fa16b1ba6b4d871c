#!/usr/bin/env bash
# Runs the anchors harness (Curator, kazoo and this library side by side) from a fresh copy.
#
#   bench/anchors/run-anchors.sh                       # REPEAT=1, ONLY="raw lock election"
#   REPEAT=3 ONLY="raw lock election config-watch" bench/anchors/run-anchors.sh
#
# The harness is read-only in /work/shared/anchors and writes results/ beside itself, so it is
# copied to $ANCHORS_DIR (default /tmp/anchors; an existing copy's results/ are kept). `ts|`
# lines are added to WORKLOADS: the raw round-trip baselines, so they run against the same
# server as everything else (our Session on the native transport, lib `ts-native`; the
# `zookeeper` binding with no library code, lib `zk-binding`), and our two queue variants
# (queue lines are library-specific: the recipe names differ).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=${ANCHORS_SRC:-/work/shared/anchors}
DIR=${ANCHORS_DIR:-/tmp/anchors}
mkdir -p "$DIR"
# Copy everything but earlier results (kept), then patch the copy's run-all.sh.
(cd "$SRC" && tar --exclude=./results -cf - .) | (cd "$DIR" && tar -xf -)
RAW='"\*|raw --n 10000 --size 32 --set-n 1000"'
grep -q '"ts|raw' "$DIR/run-all.sh" || sed -i "/^  $RAW\$/a\\
  \"ts|raw --n 10000 --size 32 --set-n 1000 --transport native\"\\
  \"ts|raw --n 10000 --size 32 --set-n 1000 --subject raw-binding\"" "$DIR/run-all.sh"
QUEUE='"kazoo|queue --items 5000 --consumers 2 --impl locking"'
grep -q '"ts|queue' "$DIR/run-all.sh" || sed -i "/^  $QUEUE\$/a\\
  \"ts|queue --items 5000 --consumers 2 --impl take\"\\
  \"ts|queue --items 5000 --consumers 2 --impl consume\"" "$DIR/run-all.sh"
grep -q '"ts|raw' "$DIR/run-all.sh" || { echo "could not add the ts|raw lines" >&2; exit 1; }
grep -q '"ts|queue' "$DIR/run-all.sh" || { echo "could not add the ts|queue lines" >&2; exit 1; }
cd "$DIR"
export LIBS=${LIBS:-"curator kazoo ts"}
export RUNNER_ts=${RUNNER_ts:-"node $HERE/../anchors-bench.mjs"}
export REPEAT=${REPEAT:-1}
export ONLY=${ONLY:-"raw lock election"}
echo "loadavg before: $(cat /proc/loadavg)" >&2
./run-all.sh
echo "loadavg after: $(cat /proc/loadavg)" >&2
