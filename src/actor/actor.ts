/**
 * The base of every recipe: an explicit state machine driven by one mailbox.
 *
 * A recipe names its states as a discriminated union (`{ kind: 'waiting', node, predecessor }`)
 * and declares which moves are legal in a table. Every change goes through `transition()`, which
 * rejects undeclared moves (STYLE §2) and keeps the last few moves for debugging. All inputs
 * reach the recipe through `mailbox`, one at a time (STYLE §4), and typed events go out through
 * eventemitter3's object-map form (STYLE §11).
 *
 * Staleness (STYLE §5). Work started under one state or one session may finish under another:
 * a handler that awaits ZooKeeper resumes after the session expired, or an operation a handler
 * started without awaiting posts its result back after the recipe moved on. Take a `stamp()`
 * right before such work and test `isStale(stamp)` when its result is in hand:
 *
 * ```ts
 * const stamp = this.stamp();
 * void this.#session.create(path).then((node) => this.mailbox.post({ kind: 'created', node, stamp }));
 * // ... later, in handle():
 * case 'created':
 *   if (this.isStale(message.stamp)) return; // the recipe moved on; the result is not ours
 * ```
 *
 * A stamp is stale after any transition (even a declared self-transition, whose data may differ)
 * and after any change of the session generation. Messages from the session itself (`lost`,
 * `connected`) are what announce a new generation: never drop those by generation.
 */
import { EventEmitter } from 'eventemitter3';
import { IllegalTransitionError } from '../session/errors.js';
import { Mailbox, type MailboxFailure } from './mailbox.js';
import { RingBuffer } from './ring-buffer.js';

/** For each state kind, the kinds it may move to. A self-move must be listed to be legal. */
export type TransitionTable<K extends string> = { readonly [From in K]: readonly K[] };

/** One entry of the transition history. */
export interface TransitionRecord<K extends string = string> {
  readonly from: K;
  readonly to: K;
  /** When it happened, by the actor's clock (milliseconds). */
  readonly at: number;
  /** Why, as the recipe told it: e.g. `predecessor deleted`, `session lost`. */
  readonly reason: string | undefined;
}

/** What `isStale()` compares: the state and the session generation some work was started under. */
export interface Stamp {
  /** Counts transitions, so it tells states of the same kind apart. */
  readonly epoch: number;
  readonly generation: number;
}

export interface ActorOptions<S extends { kind: string }> {
  /** Names the actor in errors and logs, e.g. `Mutex /locks/a`. */
  readonly name: string;
  readonly initial: S;
  readonly transitions: TransitionTable<S['kind']>;
  /** Reads the session generation at the moment of the call. Default: always 0 (no session). */
  readonly generation?: () => number;
  /** Milliseconds for history entries; inject one in tests. Default: `Date.now`. */
  readonly clock?: () => number;
  /** How many transitions the history keeps. Default: 20. */
  readonly historySize?: number;
}

/**
 * @typeParam S - the state union, discriminated by `kind`.
 * @typeParam M - the messages the mailbox carries.
 * @typeParam E - the event map, `{ eventName: [payload, ...] }`.
 */
export abstract class Actor<
  S extends { kind: string },
  M,
  E extends object,
> extends EventEmitter<E> {
  readonly name: string;
  /** The only way in: user calls, watch triggers and session states are all messages here. */
  protected readonly mailbox: Mailbox<M>;
  #state: S;
  #epoch = 0;
  readonly #transitions: TransitionTable<S['kind']>;
  readonly #history: RingBuffer<TransitionRecord<S['kind']>>;
  readonly #generation: () => number;
  readonly #clock: () => number;

  constructor(options: ActorOptions<S>) {
    super();
    this.name = options.name;
    this.#state = options.initial;
    this.#transitions = options.transitions;
    this.#history = new RingBuffer(options.historySize ?? 20);
    this.#generation = options.generation ?? (() => 0);
    this.#clock = options.clock ?? Date.now;
    this.mailbox = new Mailbox<M>({
      name: options.name,
      handler: (message) => this.handle(message),
      onError: (failure) => this.onFailure(failure),
    });
  }

  /** The current state. Read it freely; only handlers change it. */
  get state(): S {
    return this.#state;
  }

  /** The last transitions, oldest first (a copy). */
  get history(): readonly TransitionRecord<S['kind']>[] {
    return this.#history.toArray();
  }

  /** Handles one message of the mailbox. Runs alone: no other handler of this actor interleaves. */
  protected abstract handle(message: M): void | Promise<void>;

  /**
   * Hears a `post`ed message whose handler failed, or a `post` refused after close. Recipes
   * usually emit it as an `error` event; it must not throw.
   */
  protected abstract onFailure(failure: MailboxFailure<M>): void;

  /**
   * Moves to `next` if the table allows `state.kind -> next.kind`; otherwise throws
   * `IllegalTransitionError` and the state stays as it was.
   */
  /**
   * Emits without letting a throwing listener break a transition half-way: the listener's error
   * is rethrown on a microtask, where it surfaces as an uncaught exception of the application.
   */
  protected tell<K extends EventEmitter.EventNames<E>>(
    event: K,
    ...args: EventEmitter.EventArgs<E, K>
  ): void {
    try {
      this.emit(event, ...args);
    } catch (err) {
      queueMicrotask(() => {
        throw err;
      });
    }
  }

  protected transition(next: S, reason?: string): void {
    const from: S['kind'] = this.#state.kind;
    const to: S['kind'] = next.kind;
    if (!this.#transitions[from].includes(to)) throw new IllegalTransitionError(from, to);
    this.#state = next;
    this.#epoch += 1;
    this.#history.push({ from, to, at: this.#clock(), reason });
  }

  /** Captures the current state and session generation, to test later with `isStale()`. */
  protected stamp(): Stamp {
    return { epoch: this.#epoch, generation: this.#generation() };
  }

  /** True if a transition happened or the session generation changed since `stamp` was taken. */
  protected isStale(stamp: Stamp): boolean {
    return stamp.epoch !== this.#epoch || stamp.generation !== this.#generation();
  }
}
