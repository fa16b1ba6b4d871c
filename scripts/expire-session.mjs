#!/usr/bin/env node
/**
 * Expires a ZooKeeper session on the server: attaches to it with its id and password, then
 * closes it (closeSession). Run by `expireSession` (src/testing/expire-session.ts) as a child
 * process; plain JavaScript so that it runs from the source tree and from the published package.
 *
 * Usage: expire-session.mjs <connectString> <sessionIdHex> <passwordHex> [timeoutMs]
 * Exit 0: the session is closed on the server.
 * Exit 1: it could not be done; the reason is on stderr.
 */
import ZooKeeper from 'zookeeper';

const [connect, sessionIdHex, passwordHex, timeoutArg] = process.argv.slice(2);
const timeoutMs = Number(timeoutArg ?? 10_000);

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

if (
  !connect ||
  !/^[0-9a-f]{1,16}$/i.test(sessionIdHex ?? '') ||
  !/^[0-9a-f]{32}$/i.test(passwordHex ?? '') ||
  !(timeoutMs > 0)
) {
  fail(
    'usage: expire-session.mjs <connectString> <sessionIdHex> <passwordHex (32 hex)> [timeoutMs]',
  );
}

// The binding takes the session id as hex (sscanf %llx) and the 16-byte password as 32 hex
// digits, which it decodes correctly only in upper case (node-zk.cpp hexToFourBits).
const zk = new ZooKeeper({
  connect,
  timeout: timeoutMs,
  client_id: sessionIdHex,
  client_password: passwordHex.toUpperCase(),
});

// Never hang: the caller blocks its event loop on us.
setTimeout(() => fail(`no connection to ${connect} within ${timeoutMs} ms`), timeoutMs).unref();

zk.once('connect', () => {
  // Inside a binding callback, zookeeper_close() only marks the handle and closes it after the
  // callback returns, which process.exit() would prevent: close from a later turn instead.
  setImmediate(() => {
    // close() sends closeSession for the session we attached to and waits for the reply. It
    // also emits 'close' at once, which here is success, not the failure handled below.
    zk.removeAllListeners('close');
    zk.close();
    process.exit(0);
  });
});

zk.once('close', (_handle, code) => {
  // The server answers a wrong password exactly as an expired session: we cannot tell which.
  if (code === ZooKeeper.constants.ZOO_EXPIRED_SESSION_STATE) {
    fail('the server does not know the session: it is already expired, or the password is wrong');
  }
  fail(`the connection closed before it was established (state ${code})`);
});

zk.init({});
