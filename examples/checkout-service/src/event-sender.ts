/** Sends product events to monoenv's ingestion API (`POST /v1/events`, Segment `track` shape). */
import { randomUUID } from 'node:crypto';

export interface FlagSeen {
  readonly key: string;
  readonly variant: string;
}

export interface EventSender {
  /** Resolves to whether the API stored the event; never throws (a lost event must not fail a checkout). */
  track(event: string, userId: string, properties?: Record<string, unknown>, flags?: readonly FlagSeen[]): Promise<boolean>;
}

export interface EventSenderOptions {
  readonly eventsUrl: string;
  readonly writeKey?: string;
  /** Per attempt. @default 2000 */
  readonly timeoutMs?: number;
  /**
   * Attempts for an event the API did not answer in time or could not store (5xx, 429), each with the same
   * messageId, so an event stored by an attempt that timed out is counted once. @default 3
   */
  readonly attempts?: number;
  readonly now?: () => Date;
  readonly log?: (message: string) => void;
}

export function createEventSender(options: EventSenderOptions): EventSender {
  const url = `${options.eventsUrl.replace(/\/+$/, '')}/v1/events`;
  const now = options.now ?? (() => new Date());
  const log = options.log ?? ((message: string) => console.error(message));
  /** One POST: stored, or why not and whether sending again can help (a timeout, 429 or 5xx can; a 4xx cannot). */
  const send = async (body: unknown): Promise<'stored' | { reason: string; final: boolean }> => {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(options.writeKey ? { authorization: `Bearer ${options.writeKey}` } : {}) },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 2000),
      });
      const result = (await response.json().catch(() => ({}))) as { accepted?: number };
      if (response.ok && result.accepted === 1) return 'stored';
      return { reason: `not stored (HTTP ${response.status})`, final: response.status < 500 && response.status !== 429 };
    } catch (error) {
      return { reason: `not sent: ${(error as Error).message}`, final: false };
    }
  };
  return {
    async track(event, userId, properties = {}, flags = []) {
      const at = now().toISOString();
      const body = {
        sentAt: at,
        batch: [
          {
            messageId: randomUUID(),
            type: 'track',
            event,
            userId,
            timestamp: at,
            properties,
            context: {
              library: { name: 'checkout-service' },
              featureFlags: flags.map((f) => ({ 'feature_flag.key': f.key, 'feature_flag.result.variant': f.variant })),
            },
          },
        ],
      };
      const attempts = Math.max(1, options.attempts ?? 3);
      for (let attempt = 1; ; attempt++) {
        const outcome = await send(body);
        if (outcome === 'stored') return true;
        if (outcome.final || attempt >= attempts) {
          log(`checkout-service: event ${event} ${outcome.reason}`);
          return false;
        }
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    },
  };
}
