/** Every integration test of the session layer runs on each of these transports. */
export const TRANSPORTS: readonly ('wire' | 'native')[] = ['wire', 'native'];

export { eventually } from './wait.js';
