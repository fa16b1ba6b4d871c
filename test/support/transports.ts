/** Every integration test of the session layer runs on each of these transports. */
export const TRANSPORTS: readonly ('wire' | 'native')[] = ['wire', 'native'];

/** Resolves when `predicate` holds, polling; rejects after `timeoutMs` with `what` in the message. */
export async function eventually(
  predicate: () => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
