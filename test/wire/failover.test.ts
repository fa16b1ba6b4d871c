/** The shared failover suite (leader killed and restarted 5 times) against the wire transport. */
import { wireTransport } from '../../src/session/transport/wire/index.js';
import { defineFailoverSuite } from '../transport-contract/failover.js';

defineFailoverSuite('wire', wireTransport, { expectFailure: false });
