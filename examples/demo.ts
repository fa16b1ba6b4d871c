/**
 * The quick-start demo: start a throwaway ZooKeeper, connect a Session, and watch its states as
 * the server is restarted (suspended -> reconnected, same session) and as the session is expired
 * on the server (lost -> connected, next generation, ephemeral node gone).
 *
 *   npm run demo            # wire transport (default)
 *   npm run demo -- native  # the `zookeeper` native binding
 */
import { Session, type SessionStateEvent } from '../src/index.js';
import { expireSession, startZooKeeper } from '../src/testing/index.js';

const transport = process.argv[2] === 'native' ? 'native' : 'wire';
const started = Date.now();
const log = (line: string) =>
  console.log(`${((Date.now() - started) / 1000).toFixed(2).padStart(6)}s  ${line}`);

function nextState(
  session: Session,
  state: SessionStateEvent['state'],
): Promise<SessionStateEvent> {
  return new Promise((resolve) => session.once(state, resolve));
}

log('starting a throwaway ZooKeeper server...');
await using zk = await startZooKeeper();
log(`server up at ${zk.connectString} (${zk.provider})`);

await using session = await Session.connect({
  connectString: zk.connectString,
  transport,
  sessionTimeoutMs: 6_000,
});
session.on('state', (e) =>
  log(
    `state: ${e.state.padEnd(11)} session 0x${e.sessionId.toString(16)}  generation ${e.generation}${e.reason ? `  (${e.reason})` : ''}`,
  ),
);
log(
  `connected on the ${transport} transport: session 0x${session.sessionId?.toString(16)}, timeout ${session.negotiatedTimeoutMs} ms`,
);

await session.create('/demo/member', 'I am here', { mode: 'ephemeral', createParents: true });
log('created ephemeral /demo/member');

log('restarting the server (within the session timeout)...');
const reconnected = nextState(session, 'reconnected');
await zk.restartServer(0);
await reconnected;
log(`ephemeral node still there: ${(await session.exists('/demo/member')) !== null}`);

log('expiring the session on the server...');
const connected = nextState(session, 'connected');
await expireSession(session);
await connected;
log(
  `ephemeral node still there: ${(await session.exists('/demo/member')) !== null} (it went with the old session)`,
);

await session.close();
log('closed; stopping the server');
