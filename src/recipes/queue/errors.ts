/** Errors of the priority queue. */
import { NotOwnerError } from '../../session/errors.js';

/** A node under the queue holds bytes we cannot read as one item; it is left in the queue. */
export class ItemFormatError extends Error {
  override name = 'ItemFormatError';
  readonly node: string;
  constructor(node: string, why: string, options?: ErrorOptions) {
    super(`${node}: ${why}`, options);
    this.node = node;
  }
}

/**
 * The consumer no longer holds the item's lock (its session was lost, or the item was already
 * acked or nacked): it cannot ack it. An item that was not acked will be delivered again.
 */
export class ItemLockLostError extends NotOwnerError {
  override name = 'ItemLockLostError';
  readonly node: string;
  constructor(node: string, why: string, options?: ErrorOptions) {
    super(`${node}: ${why}`, options);
    this.node = node;
  }
}

/**
 * The session was lost while a put was in flight: the item may or may not be in the queue (its
 * marker went with the session). Put it again only if a duplicate is acceptable.
 */
export class PutOutcomeUnknownError extends Error {
  override name = 'PutOutcomeUnknownError';
}

/**
 * The reply to a take's claim was lost and the item is gone: this consumer or another one took
 * it, nobody can tell. At-most-once: the value is here so that it is not silently dropped.
 */
export class TakeOutcomeUnknownError extends Error {
  override name = 'TakeOutcomeUnknownError';
  readonly id: string;
  readonly value: unknown;
  constructor(id: string, value: unknown) {
    super(`${id}: the reply to its claim was lost; it may have been taken by another consumer`);
    this.id = id;
    this.value = value;
  }
}
