/**
 * Session on a 3-server ensemble: the server the client is on stops, the client moves to another
 * one and the session survives (suspended -> reconnected, same id, watches still armed).
 */
import { describe, expect, test } from 'vitest';

import { Session } from '../../src/session/session.js';
import type { SessionStateEvent, WatchMessage } from '../../src/session/states.js';
import { eventually, TRANSPORTS } from '../support/transports.js';
import { useZooKeeper } from '../support/zookeeper.js';

const zk = useZooKeeper({ servers: 3 });

/** The index of the server `sessionId` is on; fails the test if none lists it. */
async function serverOf(sessionId: bigint): Promise<number> {
  const index = await zk.serverOfSession(sessionId);
  if (index === undefined) throw new Error(`no server lists session 0x${sessionId.toString(16)}`);
  return index;
}

describe.each(TRANSPORTS)('Session on the %s transport (3-server ensemble)', (transport) => {
  test('the server the client is on stops: the client moves and the session survives', async () => {
    await using session = await Session.connect({
      connectString: zk.connectString,
      transport,
      sessionTimeoutMs: 8_000,
    });
    await using writer = await Session.connect({ connectString: zk.connectString, transport });
    const events: SessionStateEvent[] = [];
    session.on('state', (e) => events.push(e));
    const path = `/moving-${transport}`;
    await session.create(path, 'v1');
    const triggers: WatchMessage[] = [];
    await session.getData(path, { watch: (m) => triggers.push(m) });
    const id = session.sessionId!;
    const before = await serverOf(id);
    await zk.stopServer(before);
    try {
      await eventually(() => events.some((e) => e.state === 'reconnected'), 'reconnected', 30_000);
      expect(events.map((e) => e.state)).toEqual(['suspended', 'reconnected']);
      expect(session.sessionId).toBe(id);
      expect(await serverOf(id)).not.toBe(before);
      await writer.setData(path, 'v2');
      await eventually(() => triggers.length > 0, 'the watch set before the move');
      expect(triggers[0]).toMatchObject({ type: 'dataChanged', path, generation: 1 });
    } finally {
      await zk.startServer(before);
    }
  });
});
