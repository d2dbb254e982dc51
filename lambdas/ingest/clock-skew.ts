/**
 * Client clock skew correction, Segment's rule: the client's clock may be wrong, but the time between
 * the event and the send is measured on that one clock, so
 *   timestamp = client timestamp + (receivedAt - sentAt).
 * Network time is counted as skew (it is small next to a wrong device clock).
 *
 * Sanity bounds:
 * - no timestamp: the event happened when it was received;
 * - no sentAt: the timestamp is taken as is (nothing to measure the skew against);
 * - a corrected time after receivedAt (the client claims the event happened after it was sent)
 *   is clamped to receivedAt;
 * - a corrected time older than `maxAgeMs` is refused: it is more likely garbage than a late event,
 *   and it would land in closed metric periods.
 */
export const MAX_EVENT_AGE_MS = 30 * 24 * 60 * 60 * 1000;

export interface SkewInput {
  readonly timestampMs?: number;
  readonly sentAtMs?: number;
  readonly receivedAtMs: number;
  readonly maxAgeMs?: number;
}

export type SkewResult = { readonly ok: true; readonly timestampMs: number } | { readonly ok: false; readonly reason: string };

export function correctTimestamp(input: SkewInput): SkewResult {
  const { timestampMs, sentAtMs, receivedAtMs } = input;
  if (timestampMs === undefined) return { ok: true, timestampMs: receivedAtMs };
  const corrected = sentAtMs === undefined ? timestampMs : timestampMs + (receivedAtMs - sentAtMs);
  const maxAgeMs = input.maxAgeMs ?? MAX_EVENT_AGE_MS;
  if (corrected < receivedAtMs - maxAgeMs) {
    const days = Math.round(maxAgeMs / 86_400_000);
    return {
      ok: false,
      reason: `timestamp: is more than ${days} days before the time the event was received (after clock skew correction)`,
    };
  }
  return { ok: true, timestampMs: Math.min(corrected, receivedAtMs) };
}
