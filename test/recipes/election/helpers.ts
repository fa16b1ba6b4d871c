/**
 * Helpers for the election integration tests: participants in their own sessions, a global
 * event log, and a sampler that checks "at most one leader" all the time.
 */
import type { Leadership } from '../../../src/recipes/election/leadership.js';
import { type ElectionPolicy, LeaderElection } from '../../../src/recipes/leader-election.js';
import { Session, type SessionOptions } from '../../../src/session/session.js';
import { eventually } from '../../support/transports.js';

export { eventually };

export interface Entry {
  who: string;
  what: 'elected' | 'revoked' | 'aborted' | 'error';
  detail?: string;
}

export interface Member {
  id: string;
  session: Session;
  election: LeaderElection;
  /** Leaderships this member was given, in order. */
  leaderships: Leadership[];
}

/** A group of participants sharing one event log and one leader sampler. */
export class Group {
  readonly log: Entry[] = [];
  readonly members: Member[] = [];
  /** Times more than one participant said isLeader at once (ids). */
  readonly violations: string[][] = [];
  #sampler: NodeJS.Timeout | undefined;

  constructor(
    readonly connectString: string,
    readonly path: string,
    readonly options: { sessionTimeoutMs?: number; policy?: ElectionPolicy } = {},
  ) {}

  async join(id: string, extra: Partial<SessionOptions> = {}): Promise<Member> {
    const session = await Session.connect({
      connectString: this.connectString,
      sessionTimeoutMs: this.options.sessionTimeoutMs ?? 3_000,
      ...extra,
    });
    const election = new LeaderElection(session, this.path, {
      id,
      ...(this.options.policy === undefined ? {} : { policy: this.options.policy }),
    });
    const member: Member = { id, session, election, leaderships: [] };
    election.on('elected', (leadership) => {
      this.sample();
      member.leaderships.push(leadership);
      this.log.push({ who: id, what: 'elected' });
      leadership.signal.addEventListener('abort', () =>
        this.log.push({ who: id, what: 'aborted', detail: String(leadership.signal.reason) }),
      );
    });
    election.on('revoked', ({ reason }) => {
      this.sample();
      this.log.push({ who: id, what: 'revoked', detail: reason });
    });
    election.on('error', (err) => this.log.push({ who: id, what: 'error', detail: String(err) }));
    this.members.push(member);
    await election.start();
    return member;
  }

  leaders(): string[] {
    return this.members.filter((m) => m.election.isLeader).map((m) => m.id);
  }

  /** Records a violation if more than one participant leads right now. */
  sample(): void {
    const leaders = this.leaders();
    if (leaders.length > 1) this.violations.push(leaders);
  }

  /** Samples on every macrotask turn until `stop()`. */
  startSampling(): void {
    const loop = () => {
      this.sample();
      this.#sampler = setTimeout(loop, 0);
    };
    loop();
  }

  /** Waits until exactly one participant leads, and it is not one of `except`. */
  async waitForOneLeader(
    what: string,
    options: { except?: readonly string[]; timeoutMs?: number } = {},
  ): Promise<Member> {
    const except = options.except ?? [];
    await eventually(
      () => {
        const leaders = this.leaders();
        return leaders.length === 1 && !except.includes(leaders[0]!);
      },
      what,
      options.timeoutMs ?? 20_000,
    );
    return this.members.find((m) => m.election.isLeader)!;
  }

  async stop(): Promise<void> {
    clearTimeout(this.#sampler);
    for (const m of this.members) {
      await m.election.close().catch(() => undefined);
      await m.session.close().catch(() => undefined);
    }
  }
}

/** Index in the log of the first entry matching. */
export function indexOf(log: readonly Entry[], who: string, what: Entry['what']): number {
  return log.findIndex((e) => e.who === who && e.what === what);
}
