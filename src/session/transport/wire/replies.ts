/**
 * Decoders of replies that need nothing from the transport: a failed request (non-zero
 * ReplyHeader err) becomes the matching ZkError, a successful one its result record.
 */
import { zkError } from '../../errors.js';
import type { Acl, MultiReadResult, Stat } from '../types.js';
import type { Decoder } from './connection.js';
import { Err } from './opcodes.js';
import { readAcl, readMultiReadResults, readStat } from './records.js';

/** delete, sync, closeSession: no body on success. */
export const decodeVoid: Decoder<void> = (_r, err, req) => {
  if (err !== Err.ok) throw zkError(err, req.path);
};

/** SetDataResponse / SetACLResponse {stat} */
export const decodeStat: Decoder<Stat> = (r, err, req) => {
  if (err !== Err.ok) throw zkError(err, req.path);
  return readStat(r);
};

/** GetAllChildrenNumberResponse {int totalNumber} */
export const decodeInt: Decoder<number> = (r, err, req) => {
  if (err !== Err.ok) throw zkError(err, req.path);
  return r.int();
};

/** GetACLResponse {acl; stat} */
export const decodeGetAcl: Decoder<{ acl: Acl[]; stat: Stat }> = (r, err, req) => {
  if (err !== Err.ok) throw zkError(err, req.path);
  const acl = readAcl(r);
  return { acl, stat: readStat(r) };
};

/** A multiRead answers per op, also when some failed; only a refused request has no body. */
export const decodeMultiRead: Decoder<MultiReadResult[]> = (r, err) => {
  if (err !== Err.ok && r.remaining === 0) throw zkError(err);
  return readMultiReadResults(r);
};
