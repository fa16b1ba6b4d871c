/**
 * Item node names in Curator's DistributedPriorityQueue layout (CURATOR-COMPAT.md, Queues):
 * `queue-` + (`1` if p >= 0 else `0`) + `%08X` of p as uint32, then ZooKeeper's 10-digit signed
 * sequence. The sign character makes negative priorities sort before positive ones, and within a
 * sign the uint32 hex sorts numerically; we still order by the parsed values, not by the string,
 * because the sequence may have wrapped negative (HARD-CASES 15).
 */
import { InvalidArgumentError } from '../../session/errors.js';
import { compareSequence, parseSequence } from '../internal/sequence.js';

export const ITEM_PREFIX = 'queue-';
/** `queue-` + sign + 8 hex digits. */
const HEAD_LENGTH = ITEM_PREFIX.length + 9;
const HEAD = /^queue-([01])([0-9A-F]{8})$/;

export interface ItemName {
  readonly name: string;
  readonly priority: number;
  readonly sequence: number;
}

/** Throws InvalidArgumentError unless `priority` is an integer in the int32 range. */
export function checkPriority(priority: unknown): number {
  if (
    typeof priority !== 'number' ||
    !Number.isInteger(priority) ||
    priority < -0x80000000 ||
    priority > 0x7fffffff
  )
    throw new InvalidArgumentError(
      'priority',
      `expected an integer in -2147483648..2147483647, got ${String(priority)}`,
    );
  return priority;
}

/** The name to create (ZooKeeper appends the sequence) for an item of `priority`. */
export function itemPrefix(priority: number): string {
  const hex = (priority >>> 0).toString(16).toUpperCase().padStart(8, '0');
  return `${ITEM_PREFIX}${priority >= 0 ? '1' : '0'}${hex}`;
}

/** Parses an item name; undefined for anything else under the queue (foreign nodes are skipped). */
export function parseItemName(name: string): ItemName | undefined {
  const head = HEAD.exec(name.slice(0, HEAD_LENGTH));
  if (head === null) return undefined;
  const sequence = parseSequence(name, name.slice(0, HEAD_LENGTH));
  if (sequence === undefined) return undefined;
  const priority = Number.parseInt(head[2] as string, 16) | 0;
  if ((priority >= 0 ? '1' : '0') !== head[1]) return undefined;
  return { name, priority, sequence };
}

/** Queue order: lower priority first, then FIFO by the issue order of the sequence. */
export function compareItems(a: ItemName, b: ItemName): number {
  return a.priority - b.priority || compareSequence(a.sequence, b.sequence);
}

/** The item children of a listing, in queue order. */
export function sortItems(children: readonly string[]): ItemName[] {
  const items: ItemName[] = [];
  for (const child of children) {
    const item = parseItemName(child);
    if (item !== undefined) items.push(item);
  }
  return items.sort(compareItems);
}
