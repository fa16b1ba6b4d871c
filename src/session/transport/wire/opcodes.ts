/**
 * Numbers of the ZooKeeper client protocol: request types (ZooDefs.OpCode), the special xids
 * of ClientCnxn, watcher types (Watcher.WatcherType) and addWatch modes (ZooDefs.AddWatchModes).
 */

export const OpCode = {
  create: 1,
  delete: 2,
  exists: 3,
  getData: 4,
  setData: 5,
  getACL: 6,
  setACL: 7,
  getChildren: 8,
  sync: 9,
  ping: 11,
  getChildren2: 12,
  check: 13,
  multi: 14,
  create2: 15,
  removeWatches: 18,
  createContainer: 19,
  createTTL: 21,
  multiRead: 22,
  auth: 100,
  setWatches: 101,
  getEphemerals: 103,
  getAllChildrenNumber: 104,
  setWatches2: 105,
  addWatch: 106,
  closeSession: -11,
  error: -1,
} as const;

/** Reserved xids: replies with these are not answers to numbered requests. */
export const Xid = {
  notification: -1,
  ping: -2,
  auth: -4,
  setWatches: -8,
} as const;

/** Watcher.WatcherType, the `type` of RemoveWatchesRequest. */
export const WatcherType = { children: 1, data: 2, any: 3 } as const;

/** ZooDefs.AddWatchModes, the `mode` of AddWatchRequest. */
export const AddWatchModeCode = { persistent: 0, persistentRecursive: 1 } as const;

/** The ZooKeeper result codes the transport itself inspects. */
export const Err = {
  ok: 0,
  noNode: -101,
  authFailed: -115,
} as const;
