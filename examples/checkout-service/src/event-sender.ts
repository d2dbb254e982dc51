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
  /** @default 2000 */
  readonly timeoutMs?: number;
  readonly now?: () => Date;
  readonly log?: (message: string) => void;
}

export function createEventSender(options: EventSenderOptions): EventSender {
  const url = `${options.eventsUrl.replace(/\/+$/, '')}/v1/events`;
  const now = options.now ?? (() => new Date());
  const log = options.log ?? ((message: string) => console.error(message));
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
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(options.writeKey ? { authorization: `Bearer ${options.writeKey}` } : {}) },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(options.timeoutMs ?? 2000),
        });
        const result = (await response.json().catch(() => ({}))) as { accepted?: number };
        if (response.ok && result.accepted === 1) return true;
        log(`checkout-service: event ${event} not stored (HTTP ${response.status})`);
        return false;
      } catch (error) {
        log(`checkout-service: event ${event} not sent: ${(error as Error).message}`);
        return false;
      }
    },
  };
}
