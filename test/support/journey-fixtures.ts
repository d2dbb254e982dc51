import type { EventRecord } from '../../domain/events/event-record';
import type { Journey } from '../../domain/journeys/journey-schema';

export const T0 = Date.parse('2026-01-01T00:00:00.000Z');
export const at = (seconds: number): string => new Date(T0 + seconds * 1000).toISOString();

export const checkout: Journey = {
  name: 'checkout',
  steps: ['cart_viewed', 'checkout_started', 'payment_submitted', 'order_completed'],
  conversionWindowSeconds: 3600,
  order: 'sequential',
};

export const onboarding: Journey = {
  name: 'onboarding',
  steps: ['signed_up', 'profile_completed', 'first_project_created'],
  conversionWindowSeconds: 3600,
  order: 'strict',
};

let counter = 0;

export function track(event: string, seconds: number, userKey = 'user-1', messageId?: string): EventRecord {
  counter += 1;
  return {
    messageId: messageId ?? `m-${counter}`,
    type: 'track',
    event,
    userId: userKey,
    userKey,
    timestamp: at(seconds),
    receivedAt: at(seconds),
    properties: {},
    featureFlags: [],
    context: {},
  };
}

export function exposure(flag: string, variant: string, seconds: number, userKey = 'user-1', messageId?: string): EventRecord {
  counter += 1;
  return {
    ...track('$exposure', seconds, userKey, messageId ?? `x-${counter}`),
    type: 'exposure',
    featureFlags: [{ 'feature_flag.key': flag, 'feature_flag.result.variant': variant }],
  };
}
