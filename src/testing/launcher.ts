/**
 * Server JVMs are started by a launcher process, not by the test process itself.
 *
 * Why: the C client inside the `zookeeper` binding opens its sockets without close-on-exec, so
 * every child forked while a native handle is live inherits the handle's socket. If the handle
 * then loses its server and reconnects, the inherited copy keeps the old socket's epoll
 * registration alive under the fd number the client reuses next, the binding reads nothing from
 * it ten times in a row and closes the handle with a false "session expired" that poisons the
 * process (measured: the ensemble failover suite died in 4 of 5 runs when the harness forked the
 * restarted server, also when the fork closed its inherited fds within milliseconds, and never
 * when nothing was forked). The launcher is forked once, when a cluster starts (before tests
 * open clients), through `withoutInheritedFds`; later starts and restarts are requests on its
 * stdin. Applications that fork while a native handle is live meet the same defect:
 * test/native/child-process-defect.test.ts pins it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { withoutInheritedFds } from './no-inherited-fds.js';

/** Beside expire-session.mjs in `scripts/`, two levels above both src/testing and dist/testing. */
const LAUNCHER_SCRIPT = fileURLToPath(new URL('../../scripts/zk-launcher.mjs', import.meta.url));

export interface LaunchedProcess {
  pid: number;
  /** Resolves with why the process ended (`SIGKILL`, `code 1`). */
  exited: Promise<string>;
}

type Reply = { id: number; pid?: number; error?: string } | { exited: number; reason: string };

export class Launcher {
  #child: ChildProcess;
  #nextId = 1;
  #pending = new Map<
    number,
    { resolve: (p: LaunchedProcess) => void; reject: (e: Error) => void }
  >();
  #exits = new Map<number, (reason: string) => void>();
  #gone: Error | undefined;

  constructor() {
    const [command, args] = withoutInheritedFds(process.execPath, [LAUNCHER_SCRIPT]);
    this.#child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    createInterface({ input: this.#child.stdout! }).on('line', (line) =>
      this.#onReply(JSON.parse(line) as Reply),
    );
    this.#child.once('exit', (code, signal) =>
      this.#onGone(new Error(`the launcher exited (${signal ?? `code ${code}`})`)),
    );
    this.#child.once('error', (err) => this.#onGone(err));
    this.#child.stdin!.on('error', () => undefined); // the launcher is gone; #onGone reports it
  }

  /** Starts `command args...` with stdout and stderr appended to `log`. */
  spawn(command: string, args: readonly string[], log: string): Promise<LaunchedProcess> {
    if (this.#gone) return Promise.reject(this.#gone);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#child.stdin!.write(`${JSON.stringify({ id, command, args, log })}\n`);
    });
  }

  /** Lets the launcher go: it kills whatever still runs and exits. */
  close(): void {
    this.#child.stdin!.end();
  }

  #onReply(reply: Reply): void {
    if ('exited' in reply) {
      this.#exits.get(reply.exited)?.(reply.reason);
      this.#exits.delete(reply.exited);
      return;
    }
    const pending = this.#pending.get(reply.id);
    this.#pending.delete(reply.id);
    if (pending === undefined) return;
    if (reply.pid === undefined) {
      pending.reject(new Error(reply.error ?? 'the launcher could not start the process'));
      return;
    }
    const pid = reply.pid;
    pending.resolve({ pid, exited: new Promise((resolve) => this.#exits.set(pid, resolve)) });
  }

  #onGone(error: Error): void {
    this.#gone = error;
    for (const { reject } of this.#pending.values()) reject(error);
    for (const resolve of this.#exits.values()) resolve(error.message);
    this.#pending.clear();
    this.#exits.clear();
  }
}
