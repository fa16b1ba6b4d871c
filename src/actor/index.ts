/** The actor layer: a mailbox, a state-machine base for recipes, and a cancellable Deferred. */
export {
  Actor,
  type ActorOptions,
  type Stamp,
  type TransitionRecord,
  type TransitionTable,
} from './actor.js';
export { Deferred, type DeferredOptions } from './deferred.js';
export { type CloseOptions, Mailbox, type MailboxFailure, type MailboxOptions } from './mailbox.js';
