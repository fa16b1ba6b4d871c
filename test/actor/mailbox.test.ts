import { afterEach, describe, expect, it, vi } from 'vitest';
import { Mailbox, type MailboxFailure } from '../../src/actor/mailbox.js';
import { RecipeClosedError } from '../../src/session/errors.js';

/** A seeded generator (mulberry32), so a failing order is reproducible. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A mailbox whose handler is `handler` and whose failures are collected. */
function mailboxOf<M>(handler: (message: M) => void | Promise<void>) {
  const failures: MailboxFailure<M>[] = [];
  const mailbox = new Mailbox<M>({
    name: 'Test',
    handler,
    onError: (failure) => failures.push(failure),
  });
  return { mailbox, failures };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

afterEach(() => {
  vi.restoreAllMocks();
});

describe('Mailbox order', () => {
  it('runs 10,000 mixed post/ask messages one at a time, in FIFO order', async () => {
    const next = random(42);
    const log: string[] = [];
    const { mailbox, failures } = mailboxOf<number>(async (i) => {
      log.push(`start ${i}`);
      const r = next();
      if (r < 0.05) await tick();
      else if (r < 0.5) for (let k = Math.floor(r * 10); k >= 0; k--) await null;
      log.push(`end ${i}`);
    });

    const asked: Promise<void>[] = [];
    const answered: number[] = [];
    for (let i = 0; i < 10_000; i++) {
      if (next() < 0.5) {
        expect(mailbox.post(i)).toBe(true);
      } else {
        asked.push(mailbox.ask(i).then(() => void answered.push(i)));
      }
    }
    await Promise.all(asked);
    await mailbox.onIdle();

    const expected = Array.from({ length: 10_000 }, (_, i) => [`start ${i}`, `end ${i}`]).flat();
    expect(log).toEqual(expected);
    expect(answered).toEqual([...answered].sort((a, b) => a - b));
    expect(failures).toEqual([]);
  });

  it('keeps call() in line with messages', async () => {
    const log: string[] = [];
    const { mailbox } = mailboxOf<string>((m) => void log.push(m));
    mailbox.post('a');
    const result = mailbox.call(() => {
      log.push('call');
      return 7;
    });
    mailbox.post('b');
    expect(await result).toBe(7);
    await mailbox.onIdle();
    expect(log).toEqual(['a', 'call', 'b']);
  });

  it('never runs a handler inside the post() that enqueued it', async () => {
    const log: string[] = [];
    const { mailbox } = mailboxOf<string>((m) => void log.push(m));
    mailbox.post('handler');
    log.push('after post');
    await mailbox.onIdle();
    expect(log).toEqual(['after post', 'handler']);
  });

  it('lets a handler post a follow-up that runs after the messages already queued', async () => {
    const log: string[] = [];
    const { mailbox } = mailboxOf<string>((m) => {
      log.push(m);
      if (m === 'first') mailbox.post('follow-up');
    });
    mailbox.post('first');
    mailbox.post('second');
    await mailbox.onIdle();
    expect(log).toEqual(['first', 'second', 'follow-up']);
  });
});

describe('Mailbox failures', () => {
  it('reports a sync throw of a posted message and goes on', async () => {
    const boom = new Error('boom');
    const log: string[] = [];
    const { mailbox, failures } = mailboxOf<string>((m) => {
      if (m === 'bad') throw boom;
      log.push(m);
    });
    mailbox.post('a');
    mailbox.post('bad');
    mailbox.post('b');
    await mailbox.onIdle();
    expect(log).toEqual(['a', 'b']);
    expect(failures).toEqual([{ message: 'bad', error: boom }]);
  });

  it('reports an async rejection of a posted message and goes on', async () => {
    const boom = new Error('later');
    const log: string[] = [];
    const { mailbox, failures } = mailboxOf<string>(async (m) => {
      await tick();
      if (m === 'bad') throw boom;
      log.push(m);
    });
    mailbox.post('a');
    mailbox.post('bad');
    mailbox.post('b');
    await mailbox.onIdle();
    expect(log).toEqual(['a', 'b']);
    expect(failures).toEqual([{ message: 'bad', error: boom }]);
  });

  it('rejects an ask with its handler error, without reporting it too', async () => {
    const boom = new Error('boom');
    const log: string[] = [];
    const { mailbox, failures } = mailboxOf<string>(async (m) => {
      if (m === 'bad') throw boom;
      log.push(m);
    });
    const bad = mailbox.ask('bad');
    const good = mailbox.ask('good');
    await expect(bad).rejects.toBe(boom);
    await expect(good).resolves.toBeUndefined();
    expect(log).toEqual(['good']);
    expect(failures).toEqual([]);
  });

  it('rethrows an error of onError on a microtask and keeps running', async () => {
    const escaped: unknown[] = [];
    const original = globalThis.queueMicrotask;
    vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((callback) =>
      original(() => {
        try {
          callback();
        } catch (error) {
          escaped.push(error);
        }
      }),
    );
    const reporterBug = new Error('reporter bug');
    const log: string[] = [];
    const mailbox = new Mailbox<string>({
      name: 'Test',
      handler: (m) => {
        if (m === 'bad') throw new Error('handler');
        log.push(m);
      },
      onError: () => {
        throw reporterBug;
      },
    });
    mailbox.post('bad');
    mailbox.post('good');
    await mailbox.onIdle();
    await tick();
    expect(log).toEqual(['good']);
    expect(escaped).toEqual([reporterBug]);
  });
});

describe('Mailbox close', () => {
  it('refuses everything after close: post is dropped and reported, ask and call reject', async () => {
    const log: string[] = [];
    const { mailbox, failures } = mailboxOf<string>((m) => void log.push(m));
    await mailbox.close();
    expect(mailbox.isClosed).toBe(true);

    expect(mailbox.post('late')).toBe(false);
    expect(failures).toHaveLength(1);
    expect(failures[0]?.message).toBe('late');
    expect(failures[0]?.error).toBeInstanceOf(RecipeClosedError);
    expect(failures[0]?.error).toMatchObject({ message: 'Test is closed' });

    await expect(mailbox.ask('late')).rejects.toBeInstanceOf(RecipeClosedError);
    await expect(mailbox.call(() => 1)).rejects.toBeInstanceOf(RecipeClosedError);
    await mailbox.onIdle();
    expect(log).toEqual([]);
  });

  it('runs what was queued before close, then resolves', async () => {
    const log: string[] = [];
    const { mailbox } = mailboxOf<string>(async (m) => {
      await tick();
      log.push(m);
    });
    mailbox.post('a');
    const b = mailbox.ask('b');
    const closed = mailbox.close();
    mailbox.post('c');
    await closed;
    await expect(b).resolves.toBeUndefined();
    expect(log).toEqual(['a', 'b']);
  });

  it('with discard, finishes the running message and drops the queued ones', async () => {
    const log: string[] = [];
    let release: () => void = () => undefined;
    const { mailbox, failures } = mailboxOf<string>(async (m) => {
      if (m === 'running') await new Promise<void>((resolve) => (release = resolve));
      log.push(m);
    });
    const running = mailbox.ask('running');
    mailbox.post('queued post');
    const queuedAsk = mailbox.ask('queued ask');
    const queuedCall = mailbox.call(() => log.push('queued call'));
    await tick();

    const closed = mailbox.close({ discard: true });
    release();
    await closed;

    await expect(running).resolves.toBeUndefined();
    await expect(queuedAsk).rejects.toBeInstanceOf(RecipeClosedError);
    await expect(queuedCall).rejects.toBeInstanceOf(RecipeClosedError);
    expect(log).toEqual(['running']);
    expect(failures).toEqual([]);
  });

  it('is idempotent', async () => {
    const { mailbox } = mailboxOf<string>(() => undefined);
    await mailbox.close();
    await expect(mailbox.close()).resolves.toBeUndefined();
    expect(mailbox.isClosed).toBe(true);
  });
});
