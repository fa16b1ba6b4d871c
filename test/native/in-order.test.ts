/** Unit tests of InOrderSettler: outcomes are delivered in issue order, whatever order they come in. */
import { expect, test } from 'vitest';
import { InOrderSettler } from '../../src/session/transport/native/in-order.js';

test('a later outcome waits for the earlier operations', async () => {
  const settler = new InOrderSettler();
  const delivered: string[] = [];
  const first = settler.add<string>('/1');
  const second = settler.add<string>('/2');
  const third = settler.add<string>('/3');
  for (const op of [first, second, third]) {
    op.promise.then(
      (value) => delivered.push(value),
      (error: Error) => delivered.push(`error ${error.message}`),
    );
  }

  third.reject(new Error('refused'));
  second.resolve('two');
  await Promise.resolve();
  expect(delivered).toEqual([]);

  first.resolve('one');
  await new Promise((resolve) => setImmediate(resolve));
  expect(delivered).toEqual(['one', 'two', 'error refused']);
});

test('settling twice keeps the first outcome', async () => {
  const settler = new InOrderSettler();
  const op = settler.add<number>(undefined);
  op.resolve(1);
  op.reject(new Error('late'));
  op.resolve(2);
  await expect(op.promise).resolves.toBe(1);
});

test('rejectAll rejects only what is still pending, with an error for its path', async () => {
  const settler = new InOrderSettler();
  const done = settler.add<string>('/done');
  const pending = settler.add<string>('/pending');
  done.resolve('ok');
  settler.rejectAll((path) => new Error(`dead at ${path}`));
  await expect(done.promise).resolves.toBe('ok');
  await expect(pending.promise).rejects.toThrow('dead at /pending');
});
