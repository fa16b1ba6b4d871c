/**
 * The harness's own long-lived children (the launcher, the watchdog) must not keep copies of
 * the test process's sockets: the C client inside the `zookeeper` binding opens its sockets
 * without close-on-exec, and a copy held by a child turns the client's next reconnect into a
 * false session expiry (see launcher.ts). So they start under bash, which closes every fd above
 * stderr and then execs the real command: an inherited copy lives for milliseconds, not for the
 * life of the child. (Milliseconds still matter during a reconnect, which is why servers are
 * started by the launcher rather than forked when needed.)
 */
const CLOSE_FDS_THEN_EXEC =
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash parameter expansion, not a template.
  'for fd in /proc/self/fd/*; do n=${fd##*/}; [ "$n" -gt 2 ] && eval "exec $n>&-" 2>/dev/null; done; exec "$@"';

/** The `spawn` command and arguments that run `command args...` with only stdin/stdout/stderr. */
export function withoutInheritedFds(command: string, args: readonly string[]): [string, string[]] {
  return ['bash', ['-c', CLOSE_FDS_THEN_EXEC, 'zk-harness-child', command, ...args]];
}
