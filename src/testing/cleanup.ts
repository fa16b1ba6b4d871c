/**
 * Makes sure no server process or temp dir outlives the test process that made it, however that
 * process ends:
 * - `stop()`: the normal path (the providers do it);
 * - exit, SIGINT, SIGTERM: synchronous kill and delete from process handlers;
 * - SIGKILL, a crash, a test runner killing its worker: no handler runs then, so each cluster
 *   also has a watchdog, a tiny `sh` that blocks on a pipe from us. The kernel closes the pipe
 *   when we die, however we die; the watchdog then kills the JVMs named in the pid files, and
 *   removes the containers named in the container files, under the cluster's temp dir, and
 *   deletes it. (Containers normally also have testcontainers' Ryuk; it may be disabled.)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { withoutInheritedFds } from './no-inherited-fds.js';

/** What a live cluster must do synchronously when the process is about to end. */
export type SyncCleanup = () => void;

const live = new Set<SyncCleanup>();

function runAll(): void {
  for (const cleanup of live) {
    try {
      cleanup();
    } catch {
      // Best effort while exiting: the watchdog deals with whatever this missed.
    }
  }
  live.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  runAll();
  uninstall();
  // Our listener replaced the default action (exit); restore it unless someone else handles it.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

let installed = false;
function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', runAll);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off('exit', runAll);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
}

/** Runs `cleanup` if the process exits or is signalled first; returns the unregister function. */
export function onProcessExit(cleanup: SyncCleanup): () => void {
  live.add(cleanup);
  install();
  return () => {
    live.delete(cleanup);
    if (live.size === 0) uninstall();
  };
}

/** Kills a process by pid, ignoring "no such process". */
export function killQuietly(pid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

/** Deletes a directory tree, ignoring a missing one. */
export function removeQuietly(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

// $1 is the cluster dir. A pid file is trusted only if that process's command line names a file
// in the cluster dir, so a recycled pid is never killed.
const WATCHDOG_SCRIPT = `
cat >/dev/null
for f in "$1"/*/pid; do
  [ -f "$f" ] || continue
  pid=$(cat "$f")
  if tr '\\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF "$1/"; then kill -9 "$pid"; fi
done
for f in "$1"/*/container; do
  [ -f "$f" ] && docker rm -f -v "$(cat "$f")" >/dev/null 2>&1
done
rm -rf "$1"
`;

export interface Watchdog {
  /** Lets the watchdog run its cleanup now and exit (after a normal stop it finds nothing to do). */
  release(): void;
}

/**
 * Starts the watchdog of the cluster in `dir`. Server processes must write their pid to
 * `dir/<server>/pid` and include a path under `dir` in their command line; containers write
 * their id to `dir/<server>/container`.
 */
export function startWatchdog(dir: string): Watchdog {
  // detached: its own process group, so a Ctrl-C to the test run does not kill it before the JVMs.
  const [command, args] = withoutInheritedFds('sh', ['-c', WATCHDOG_SCRIPT, 'zk-watchdog', dir]);
  const child: ChildProcess = spawn(command, args, {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
  });
  const pipe = child.stdin as Writable & { unref?: () => void };
  // Neither the watchdog nor its pipe may keep the event loop (and so the test process) alive.
  child.unref();
  pipe.unref?.();
  pipe.on('error', () => {
    // The watchdog already exited (e.g. killed by someone): nothing to tell it.
  });
  return { release: () => pipe.end() };
}
