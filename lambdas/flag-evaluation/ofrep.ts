import { createHash } from 'node:crypto';
import { requireApiKeysOption, type ApiKeys, type ApiKeysOption } from '../shared/api-keys';
import type { CorsOptions, HttpHandler, HttpRequest, HttpResponse } from '../shared/http';
import { jsonDepthExceeds } from '../shared/json-depth';
import { HttpError, errorResponse, jsonResponse, keysEqual, parseJsonBody, presentedApiKey, withCors } from '../shared/http';
import { canonicalJson, clientVisibleSet, evaluateAll, evaluateFlag } from '../../domain/flags/evaluator';
import type { EvaluationContext, EvaluationResult } from '../../domain/flags/evaluator';
import type { ExposureSink } from './exposures';
import { exposuresFor } from './exposures';
import type { FlagSetSource } from './flag-cache';
import { FlagStoreUnavailableError } from './flag-cache';
import type { MetricsRecorder } from './metrics';
import type { RateLimiter } from './rate-limiter';
import { unlimited } from './rate-limiter';
import { OFREP_BASE_PATH } from './contract';
import { systemClock, type Clock } from '../shared/clock';
import { defaultLambdaIo } from '../shared/lambda-io';

/**
 * The OpenFeature Remote Evaluation Protocol (OFREP) over the flag evaluator, transport-neutral: the
 * Lambda (function URL) and `monoenv flags serve` run this same handler.
 * https://github.com/open-feature/protocol/blob/main/service/openapi.yaml
 *
 *   POST /ofrep/v1/evaluate/flags/{key}  -> 200 {key, value, reason, variant, metadata}
 *                                           404 FLAG_NOT_FOUND, 400 {key, errorCode, errorDetails}
 *   POST /ofrep/v1/evaluate/flags        -> 200 {flags: [...], metadata} with an ETag, 304 on If-None-Match
 *
 * Every bad request is a 4xx with an OFREP error code; 401 without a key, 403 with a wrong one, 429
 * with Retry-After when a caller exceeds its token bucket. A context nested deeper than MAX_CONTEXT_DEPTH
 * is INVALID_CONTEXT on both routes, refused before anything walks it. 503 with Retry-After when the flags
 * (GENERAL) or the API keys (KEYS_UNAVAILABLE) cannot be read.
 */
export interface OfrepHandlerOptions {
  readonly flags: FlagSetSource;
  /**
   * Accepted keys are the `server` lists (every flag) and `client` lists (only flags whose metadata has
   * `clientVisible: true`); `'none'` serves every flag without keys (local development only).
   */
  readonly apiKeys: ApiKeysOption;
  readonly exposures?: ExposureSink;
  readonly rateLimiter?: RateLimiter;
  readonly cors?: CorsOptions;
  /** @default 65536 */
  readonly maxBodyBytes?: number;
  readonly metrics?: MetricsRecorder;
  readonly now?: Clock;
  /** Where failures that must not fail the request (exposures) are reported. @default console.error */
  readonly logError?: (message: string, error?: unknown) => void;
}

export { OFREP_BASE_PATH } from './contract';
/** Contexts nest a few levels (user.address.country); deeper ones are refused before anything walks them. */
export const MAX_CONTEXT_DEPTH = 32;
/** Server keys evaluate every flag; client keys (in browsers, so public) only the flags marked clientVisible. */
const KEY_KINDS = ['server', 'client'] as const;
type KeyKind = (typeof KEY_KINDS)[number];
/** Seconds a caller should wait when the key store cannot be read (as the ingestion API answers). */
const KEYS_RETRY_AFTER_SECONDS = 5;

/** Maps evaluator error codes to the HTTP status OFREP gives them. */
function statusOf(errorCode: string): number {
  return errorCode === 'FLAG_NOT_FOUND' ? 404 : 400;
}

type Route = { kind: 'single'; key: string } | { kind: 'bulk' };

function route(path: string): Route | undefined {
  const trimmed = path.length > 1 ? path.replace(/\/+$/, '') : path;
  if (trimmed === OFREP_BASE_PATH) return { kind: 'bulk' };
  if (!trimmed.startsWith(`${OFREP_BASE_PATH}/`)) return undefined;
  const rawKey = trimmed.slice(OFREP_BASE_PATH.length + 1);
  if (rawKey === '' || rawKey.includes('/')) return undefined;
  try {
    return { kind: 'single', key: decodeURIComponent(rawKey) };
  } catch {
    throw new HttpError(400, 'PARSE_ERROR', 'the flag key in the path is not valid percent-encoding');
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads `{"context": {...}}`; `extra` (the flag key) goes into single-flag error bodies as OFREP wants. */
function readContext(request: HttpRequest, maxBodyBytes: number, extra: Record<string, unknown>): EvaluationContext {
  let body: unknown;
  try {
    body = parseJsonBody(request, { maxBytes: maxBodyBytes });
  } catch (error) {
    if (error instanceof HttpError) throw new HttpError(error.status, error.code, error.message, error.headers, extra);
    throw error;
  }
  if (!isPlainObject(body))
    throw new HttpError(400, 'PARSE_ERROR', 'request body must be a JSON object like {"context": {...}}', {}, extra);
  const context = body.context === undefined ? {} : body.context;
  if (!isPlainObject(context)) throw new HttpError(400, 'INVALID_CONTEXT', '"context" must be a JSON object', {}, extra);
  if (jsonDepthExceeds(context, MAX_CONTEXT_DEPTH)) {
    throw new HttpError(400, 'INVALID_CONTEXT', `"context" nests more than ${MAX_CONTEXT_DEPTH} levels deep`, {}, extra);
  }
  if (context.targetingKey !== undefined && typeof context.targetingKey !== 'string') {
    throw new HttpError(400, 'INVALID_CONTEXT', '"context.targetingKey" must be a string', {}, extra);
  }
  return context as EvaluationContext;
}

/**
 * The ETag covers the flag-set revision, the context (canonical: key order does not matter) and the
 * evaluated body (time-based rules can change it).
 */
function bulkEtag(revision: string, context: EvaluationContext, body: string): string {
  const hash = createHash('sha256').update(revision).update('\n').update(canonicalJson(context)).update('\n').update(body);
  return `"${hash.digest('base64url').slice(0, 27)}"`;
}

function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag);
}

/** OFREP success body: the caller's default applies when `value` is absent (DISABLED, no default variant). */
function successBody(result: EvaluationResult): Record<string, unknown> {
  const body: Record<string, unknown> = { key: result.key, reason: result.reason };
  if (result.value !== undefined) body.value = result.value;
  if (result.variant !== undefined) body.variant = result.variant;
  if (result.metadata !== undefined) body.metadata = result.metadata;
  return body;
}

function failureBody(result: EvaluationResult): Record<string, unknown> {
  const body: Record<string, unknown> = {
    key: result.key,
    errorCode: result.errorCode,
    errorDetails: result.errorDetails ?? result.errorCode,
  };
  if (result.metadata !== undefined) body.metadata = result.metadata;
  return body;
}

export function createOfrepHandler(options: OfrepHandlerOptions): HttpHandler {
  requireApiKeysOption(options.apiKeys, 'createOfrepHandler');
  const apiKeys = options.apiKeys;
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024;
  const now = options.now ?? systemClock;
  const limiter = options.rateLimiter ?? unlimited;
  const logError = options.logError ?? defaultLambdaIo.logError;

  let lastKeyError: unknown;

  /** The kind of key presented; keyless serving acts as a server key. */
  async function authorize(request: HttpRequest): Promise<KeyKind> {
    if (apiKeys === 'none') return 'server';
    const presented = presentedApiKey(request);
    if (!presented) throw new HttpError(401, 'GENERAL', 'an API key is required: Authorization: Bearer <key> or X-API-Key');
    let keys: ApiKeys;
    try {
      keys = await apiKeys.get();
    } catch (error) {
      // A source that is still failing rethrows the same error: one log line per outage read, not per request.
      if (error !== lastKeyError) logError('api keys unavailable; answering 503', error);
      lastKeyError = error;
      throw new HttpError(503, 'KEYS_UNAVAILABLE', 'cannot check API keys right now; retry later', {
        'retry-after': String(KEYS_RETRY_AFTER_SECONDS),
      });
    }
    // Server first: a key listed under both kinds is a server key.
    const kind = KEY_KINDS.find((k) => (keys[k] ?? []).some((key) => keysEqual(key, presented)));
    if (kind === undefined) throw new HttpError(403, 'GENERAL', 'the API key is not valid');
    return kind;
  }

  function limit(request: HttpRequest): void {
    const caller = presentedApiKey(request) ?? `ip:${request.sourceIp ?? 'unknown'}`;
    const decision = limiter.take(caller, now());
    if (!decision.allowed) {
      const retryAfter = String(decision.retryAfterSeconds);
      throw new HttpError(429, 'GENERAL', `rate limit exceeded; retry after ${retryAfter} s`, { 'retry-after': retryAfter });
    }
  }

  /** Exposure failures are logged and counted, never returned to the caller. */
  async function recordExposures(results: readonly EvaluationResult[], context: EvaluationContext, revision: string): Promise<number> {
    if (!options.exposures) return 0;
    const exposures = exposuresFor(results, context.targetingKey, revision, new Date(now()));
    if (exposures.length === 0) return 0;
    try {
      await options.exposures.record(exposures);
      return 0;
    } catch (error) {
      logError('recording exposures failed', error);
      return exposures.length;
    }
  }

  async function evaluate(request: HttpRequest, target: Route, keyKind: KeyKind): Promise<HttpResponse> {
    const errorExtra = target.kind === 'single' ? { key: target.key } : {};
    const context = readContext(request, maxBodyBytes, errorExtra);
    const snapshot = await options.flags();
    // A client key's set lacks the server-only flags: they answer FLAG_NOT_FOUND, as if they did not exist.
    const set = keyKind === 'client' ? clientVisibleSet(snapshot.set) : snapshot.set;
    const nowSeconds = Math.floor(now() / 1000);
    const results = target.kind === 'single' ? [evaluateFlag(set, target.key, context, nowSeconds)] : evaluateAll(set, context, nowSeconds);
    const exposureFailures = await recordExposures(results, context, snapshot.set.revision);
    options.metrics?.({
      route: target.kind,
      evaluations: results.length,
      evaluationErrors: results.filter((r) => r.errorCode !== undefined).length,
      flagStoreStale: snapshot.stale,
      flagSetAgeSeconds: snapshot.ageSeconds,
      exposureFailures,
    });

    if (target.kind === 'single') {
      const [result] = results;
      return result.errorCode === undefined
        ? jsonResponse(200, successBody(result))
        : jsonResponse(statusOf(result.errorCode), failureBody(result));
    }
    const flags = results.map((r) => (r.errorCode === undefined ? successBody(r) : failureBody(r)));
    const body = JSON.stringify({ flags, metadata: snapshot.set.metadata });
    const etag = bulkEtag(snapshot.set.revision, context, body);
    if (etagMatches(request.headers['if-none-match'], etag)) return { status: 304, headers: { etag }, body: '' };
    return { status: 200, headers: { 'content-type': 'application/json; charset=utf-8', etag, 'cache-control': 'no-cache' }, body };
  }

  const handler: HttpHandler = async (request) => {
    try {
      const target = route(request.path);
      if (!target) throw new HttpError(404, 'GENERAL', `no such route: ${request.method} ${request.path}`);
      if (request.method !== 'POST') throw new HttpError(405, 'GENERAL', `use POST for ${request.path}`, { allow: 'POST' });
      const keyKind = await authorize(request);
      limit(request);
      return await evaluate(request, target, keyKind);
    } catch (error) {
      if (error instanceof FlagStoreUnavailableError) {
        logError('flag store unavailable', error);
        return jsonResponse(503, { errorCode: 'GENERAL', errorDetails: 'flags are temporarily unavailable' }, { 'retry-after': '1' });
      }
      if (!(error instanceof HttpError)) logError('unexpected error', error);
      return errorResponse(error);
    }
  };
  return withCors(handler, options.cors);
}
