/**
 * Where time comes from: milliseconds since the epoch. Every handler, cache and store takes one, so a test
 * (or the local runtime) decides what "now" is and no behaviour depends on the date a test runs.
 */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();
