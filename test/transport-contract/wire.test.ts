/** The transport contract suite against the wire transport; it implements every optional feature. */
import { wireTransport } from '../../src/session/transport/wire/index.js';
import { defineTransportContract } from './contract.js';

defineTransportContract('wire', wireTransport, { unimplemented: [] });
