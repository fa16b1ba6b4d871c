import { afterEach, describe, expect, it, vi } from 'vitest';
import { Deferred } from '../../src/actor/deferred.js';
import { InvalidArgumentError } from '../../src/session/errors.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('Deferred settled by its owner', () => {
  it('resolves once; later settles return false', async () => {
    const deferred = new Deferred<number>();
    expect(deferred.isSettled).toBe(false);
    expect(deferred.resolve(1)).toBe(true);
    expect(deferred.isSettled).toBe(true);
    expect(deferred.resolve(2)).toBe(false);
    expect(deferred.reject(new Error('late'))).toBe(false);
    await expect(deferred.promise).resolves.toBe(1);
  });

  it('rejects without calling onCancel', async () => {
    const onCancel = vi.fn();
    const deferred = new Deferred<number>({ onCancel });
    const error = new Error('session lost');
    expect(deferred.reject(error)).toBe(true);
    await expect(deferred.promise).rejects.toBe(error);
    expect(onCancel).not.toHaveBeenCalled();
  });
});

describe('Deferred with a signal', () => {
  it('rejects with signal.reason on abort, then calls onCancel once on a microtask', async () => {
    const controller = new AbortController();
    const onCancel = vi.fn();
    const deferred = new Deferred<number>({ signal: controller.signal, onCancel });
    const reason = new Error('user gave up');
    controller.abort(reason);
    expect(deferred.isSettled).toBe(true);
    expect(onCancel).not.toHaveBeenCalled();
    await expect(deferred.promise).rejects.toBe(reason);
    expect(onCancel).toHaveBeenCalledTimes(1);
    expect(onCancel).toHaveBeenCalledWith(reason);
  });

  it('tells the owner it lost the race when it grants after an abort', async () => {
    const controller = new AbortController();
    const deferred = new Deferred<string>({ signal: controller.signal });
    controller.abort();
    expect(deferred.resolve('lease')).toBe(false);
    await expect(deferred.promise).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('rejects at once for a signal aborted before, and onCancel may refer to the Deferred', async () => {
    const reason = new Error('already');
    const seen: unknown[] = [];
    const waiter: Deferred<number> = new Deferred({
      signal: AbortSignal.abort(reason),
      onCancel: () => seen.push(waiter),
    });
    expect(waiter.isSettled).toBe(true);
    await expect(waiter.promise).rejects.toBe(reason);
    expect(seen).toEqual([waiter]);
  });

  it('removes its abort listener once settled', async () => {
    const controller = new AbortController();
    const remove = vi.spyOn(controller.signal, 'removeEventListener');
    const onCancel = vi.fn();
    const deferred = new Deferred<number>({ signal: controller.signal, onCancel });
    deferred.resolve(1);
    expect(remove).toHaveBeenCalledWith('abort', expect.any(Function));
    controller.abort();
    await deferred.promise;
    await Promise.resolve();
    expect(onCancel).not.toHaveBeenCalled();
  });
});

describe('Deferred with a timeout', () => {
  it('rejects with a TimeoutError DOMException, like AbortSignal.timeout()', async () => {
    vi.useFakeTimers();
    const onCancel = vi.fn();
    const deferred = new Deferred<number>({ timeoutMs: 100, onCancel });
    const settled = expect(deferred.promise).rejects.toMatchObject({
      name: 'TimeoutError',
      message: 'timed out after 100 ms',
    });
    vi.advanceTimersByTime(99);
    expect(deferred.isSettled).toBe(false);
    vi.advanceTimersByTime(1);
    await settled;
    await expect(deferred.promise).rejects.toBeInstanceOf(DOMException);
    expect(onCancel).toHaveBeenCalledTimes(1);
  });

  it('clears its timer when the owner settles first', async () => {
    vi.useFakeTimers();
    const deferred = new Deferred<number>({ timeoutMs: 100 });
    expect(vi.getTimerCount()).toBe(1);
    deferred.resolve(5);
    expect(vi.getTimerCount()).toBe(0);
    await expect(deferred.promise).resolves.toBe(5);
  });

  it('sets no timer for Infinity', () => {
    vi.useFakeTimers();
    const deferred = new Deferred<number>({ timeoutMs: Number.POSITIVE_INFINITY });
    expect(vi.getTimerCount()).toBe(0);
    deferred.resolve(0);
  });

  it.each([-1, Number.NaN, 2 ** 31])('rejects timeoutMs %s', (timeoutMs) => {
    expect(() => new Deferred({ timeoutMs })).toThrow(InvalidArgumentError);
  });
});
