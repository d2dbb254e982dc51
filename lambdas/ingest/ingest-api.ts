import { requireApiKeysOption, type ApiKeysOption } from '../shared/api-keys';
import {
  errorResponse,
  HttpError,
  jsonResponse,
  keysEqual,
  parseJsonBody,
  presentedApiKey,
  withCors,
  type CorsOptions,
  type HttpHandler,
  type HttpRequest,
  type HttpResponse,
  type RequestContext,
} from '../shared/http';
import { ABORTED, deadlineSignal, untilAborted } from '../shared/deadline';
import { INGEST_LIMITS } from './event-schema';
import type { EventWriter } from './event-writer';
import type { MetricsSink } from './metrics';
import { EVENTS_PATH } from './contract';
import { validateBatch, type DuplicateEvent, type RejectedEvent } from './validate-batch';
import { systemClock, type Clock } from '../shared/clock';
import { defaultLambdaIo } from '../shared/lambda-io';

/**
 * `POST /v1/events`: authenticate the write key, validate the batch, write the good events in order,
 * answer per event. No AWS imports: the writer, key source, clock and metrics are passed in, so the
 * Lambda, the local runtime, the tests and the bench all run this same handler.
 */
export { EVENTS_PATH } from './contract';
/** Seconds a client should wait before resending when nothing was stored. */
export const RETRY_AFTER_SECONDS = 5;
/**
 * Kept back from the function's remaining time: the write stops this long before the function would time out,
 * leaving time to answer 503 for what was not stored. A Lambda timeout is worse: API Gateway answers a bare 5xx
 * and the client cannot tell which events were stored.
 */
export const DEFAULT_TIME_MARGIN_MS = 1000;

export interface IngestHandlerOptions {
  readonly writer: EventWriter;
  /** Keys of kind `write`; `'none'` = no key required (local development only). */
  readonly apiKeys: ApiKeysOption;
  readonly cors?: CorsOptions;
  /** @default Date.now */
  readonly now?: Clock;
  /** @default - no metrics */
  readonly metrics?: MetricsSink;
  /** @default console.error */
  readonly logError?: (message: string, error?: unknown) => void;
  /** Milliseconds kept back from the function's remaining time to answer in. @default DEFAULT_TIME_MARGIN_MS */
  readonly timeMarginMs?: number;
}

type LogError = (message: string, error?: unknown) => void;

export interface FailedEvent {
  readonly index: number;
  readonly messageId: string;
  readonly errorCode: string;
  readonly reason: string;
}

export interface IngestResponseBody {
  /** Events stored in the stream. */
  readonly accepted: number;
  /** Repeats of a messageId earlier in the same batch: dropped, not errors. */
  readonly duplicates: readonly DuplicateEvent[];
  /** Invalid events: not written; sending them again will not help. */
  readonly rejected: readonly RejectedEvent[];
  /** Valid events the stream did not store: send them again later. */
  readonly failed: readonly FailedEvent[];
}

async function authorize(
  request: HttpRequest,
  apiKeys: ApiKeysOption,
  logError: LogError,
  deadline: AbortSignal | undefined,
): Promise<void> {
  if (apiKeys === 'none') return;
  const presented = presentedApiKey(request);
  if (!presented) {
    throw new HttpError(401, 'UNAUTHORIZED', 'a write key is required: Authorization: Bearer <key> or X-API-Key: <key>', {
      'www-authenticate': 'Bearer',
    });
  }
  let writeKeys: readonly string[];
  try {
    const keys = await untilAborted(apiKeys.get(), deadline);
    if (keys === ABORTED) throw new Error('the key source did not answer in time');
    writeKeys = keys.write ?? [];
  } catch (error) {
    logError('api keys unavailable', error);
    throw new HttpError(503, 'KEYS_UNAVAILABLE', 'cannot check keys right now; retry later', {
      'retry-after': String(RETRY_AFTER_SECONDS),
    });
  }
  if (!writeKeys.some((key) => keysEqual(key, presented))) throw new HttpError(403, 'FORBIDDEN', 'the key presented is not a write key');
}

/**
 * 503 as soon as one valid event was not stored, even when others were: clients (Segment's among them) resend on
 * 5xx only, and the resent events already stored are dropped downstream by messageId, so nothing is lost.
 */
function statusOf(body: IngestResponseBody, validCount: number): number {
  if (validCount === 0 && body.rejected.length > 0) return 400;
  if (body.failed.length > 0) return 503;
  return 200;
}

async function ingest(
  request: HttpRequest,
  options: IngestHandlerOptions,
  now: Clock,
  logError: LogError,
  deadline: AbortSignal | undefined,
): Promise<HttpResponse> {
  if (request.path !== EVENTS_PATH) throw new HttpError(404, 'NOT_FOUND', `no route ${request.path}; events go to POST ${EVENTS_PATH}`);
  if (request.method !== 'POST') throw new HttpError(405, 'METHOD_NOT_ALLOWED', `use POST ${EVENTS_PATH}`, { allow: 'POST, OPTIONS' });
  await authorize(request, options.apiKeys, logError, deadline);
  const body = parseJsonBody(request, { maxBytes: INGEST_LIMITS.maxBatchBytes, allowEmpty: false });
  const batch = validateBatch(body, now());

  const outcomes = batch.accepted.length > 0 ? await options.writer.write(batch.accepted, { signal: deadline }) : [];
  let accepted = 0;
  const failed: FailedEvent[] = [];
  outcomes.forEach((outcome, position) => {
    if (outcome.stored) {
      accepted += 1;
      return;
    }
    const { index, record } = batch.accepted[position];
    failed.push({ index, messageId: record.messageId, errorCode: outcome.errorCode, reason: outcome.reason });
  });
  if (failed.length > 0)
    logError(`ingest: ${failed.length} of ${outcomes.length} events not stored: ${failed[0].errorCode}: ${failed[0].reason}`);

  const result: IngestResponseBody = { accepted, duplicates: batch.duplicates, rejected: batch.rejected, failed };
  options.metrics?.({ accepted, rejected: batch.rejected.length, failed: failed.length, duplicates: batch.duplicates.length });
  const status = statusOf(result, batch.accepted.length);
  return jsonResponse(status, result, status === 503 ? { 'retry-after': String(RETRY_AFTER_SECONDS) } : {});
}

export function createIngestHandler(options: IngestHandlerOptions): HttpHandler {
  requireApiKeysOption(options.apiKeys, 'createIngestHandler');
  const now = options.now ?? systemClock;
  const logError: LogError = options.logError ?? defaultLambdaIo.logError;
  const handler: HttpHandler = async (request, context?: RequestContext) => {
    // Counted from the start of the request: checking keys and writing both spend it.
    const deadline = context?.remainingTimeMs
      ? deadlineSignal(context.remainingTimeMs() - (options.timeMarginMs ?? DEFAULT_TIME_MARGIN_MS))
      : undefined;
    try {
      return await ingest(request, options, now, logError, deadline?.signal);
    } catch (error) {
      if (error instanceof HttpError) return errorResponse(error);
      throw error;
    } finally {
      deadline?.clear();
    }
  };
  return withCors(handler, options.cors);
}
