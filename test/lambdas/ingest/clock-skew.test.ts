import { correctTimestamp, MAX_EVENT_AGE_MS } from '../../../lambdas/ingest/clock-skew';

const RECEIVED = 1_000_000_000_000;

describe('correctTimestamp', () => {
  it('applies timestamp + (receivedAt - sentAt)', () => {
    expect(correctTimestamp({ timestampMs: 5_000, sentAtMs: 6_000, receivedAtMs: RECEIVED })).toEqual({
      ok: true,
      timestampMs: RECEIVED - 1_000,
    });
  });

  it('clamps a corrected time after receivedAt to receivedAt', () => {
    // The event claims to have happened 10 s after it was sent.
    expect(correctTimestamp({ timestampMs: 20_000, sentAtMs: 10_000, receivedAtMs: RECEIVED })).toEqual({
      ok: true,
      timestampMs: RECEIVED,
    });
    expect(correctTimestamp({ timestampMs: RECEIVED + 60_000, receivedAtMs: RECEIVED })).toEqual({ ok: true, timestampMs: RECEIVED });
  });

  it('refuses times older than the maximum age, and keeps those just inside it', () => {
    expect(correctTimestamp({ timestampMs: RECEIVED - MAX_EVENT_AGE_MS - 1, receivedAtMs: RECEIVED }).ok).toBe(false);
    expect(correctTimestamp({ timestampMs: RECEIVED - MAX_EVENT_AGE_MS, receivedAtMs: RECEIVED })).toEqual({
      ok: true,
      timestampMs: RECEIVED - MAX_EVENT_AGE_MS,
    });
    expect(correctTimestamp({ timestampMs: 0, receivedAtMs: RECEIVED, maxAgeMs: 10 })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^timestamp: /),
    });
  });

  it('uses receivedAt without a timestamp', () => {
    expect(correctTimestamp({ sentAtMs: 3, receivedAtMs: RECEIVED })).toEqual({ ok: true, timestampMs: RECEIVED });
  });
});
