/**
 * Transactions (ZooKeeper `multi`) as the Session offers them: ops with user paths and the same
 * options as the single calls, and one error class for a transaction that was not applied.
 */
import { ZkError } from './errors.js';
import type { Acl, CreateMode, MultiResult } from './transport/types.js';

export type SessionMultiOp =
  | {
      op: 'create';
      path: string;
      data?: Uint8Array | string;
      mode?: CreateMode;
      acl?: readonly Acl[];
      ttlMs?: number;
    }
  | { op: 'delete'; path: string; version?: number }
  | { op: 'setData'; path: string; data: Uint8Array | string; version?: number }
  | { op: 'check'; path: string; version?: number };

/** A multi was rolled back because op `index` failed; `code` is that op's code. */
export class MultiError extends ZkError {
  override name = 'MultiError';
  /** Index of the first failing op. */
  readonly index: number;
  /** Every op's result: the failing one and rolled-back ones are `{ op: 'error' }`. */
  readonly results: readonly MultiResult[];

  constructor(index: number, path: string | undefined, results: readonly MultiResult[]) {
    const failed = results[index];
    const code = failed?.op === 'error' ? failed.code : -2;
    super(code, path);
    this.message = `multi op ${index} failed: ${this.code}${path === undefined ? '' : ` for ${path}`}`;
    this.index = index;
    this.results = results;
  }
}
