/** Helpers of the wire transport's integration tests. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const RUN_OPS = fileURLToPath(new URL('./fixtures/run-ops.mts', import.meta.url));

export type ChildOp = { op: 'create' | 'setData' | 'delete'; path: string; data?: string };

/**
 * Runs `ops` through another client in a child process, synchronously: this process's event loop
 * is blocked meanwhile, so a transport here cannot reconnect (or receive anything) until the
 * change is committed. Called from a `disconnected` listener it makes a change "during" the
 * disconnection, deterministically.
 */
export function changeFromChildSync(connectString: string, ops: ChildOp[]): void {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', RUN_OPS, connectString, JSON.stringify(ops)],
    {
      encoding: 'utf8',
      timeout: 20_000,
    },
  );
  if (result.status !== 0)
    throw new Error(`child ops failed: ${result.stderr || result.error?.message}`);
}
