import {
  OFREPApi,
  OFREPApiTooManyRequestsError,
  OFREPApiUnauthorizedError,
  OFREPForbiddenError,
  handleEvaluationError,
  toResolutionDetails,
} from '@openfeature/ofrep-core';
import type { EvaluationFlagValue, FetchAPI } from '@openfeature/ofrep-core';
import { ErrorCode, StandardResolutionReasons } from '@openfeature/server-sdk';
import type { EvaluationContext, JsonValue, Provider, ResolutionDetails } from '@openfeature/server-sdk';

/** How long the provider waits for the flag API by default. */
export const DEFAULT_TIMEOUT_MS = 2000;

/**
 * OpenFeature server provider for the monoenv flag API (OFREP), for product teams' Node services:
 *
 *   OpenFeature.setProvider(new MonoenvOfrepProvider({ baseUrl: 'https://flags.example.com', apiKey }));
 *
 * Each evaluation is one `POST /ofrep/v1/evaluate/flags/{key}`. Built on `@openfeature/ofrep-core`
 * (the protocol client the official providers share); the npm OFREP server provider lags behind it.
 * It never throws: on any error the caller's default value comes back with an OpenFeature error code.
 * After a 429 it answers with the default, without calling, until Retry-After has passed.
 */
export interface MonoenvOfrepProviderOptions {
  /** Where the flag API lives, without `/ofrep/...`. */
  readonly baseUrl: string;
  /** A `server` key; sent as `Authorization: Bearer <key>`. */
  readonly apiKey?: string;
  /** @default DEFAULT_TIMEOUT_MS (2 s) */
  readonly timeoutMs?: number;
  readonly headers?: ReadonlyArray<[string, string]>;
  readonly fetchImplementation?: FetchAPI;
}

type ExpectedType = 'boolean' | 'string' | 'number' | 'object';

export class MonoenvOfrepProvider implements Provider {
  readonly metadata = { name: 'monoenv-ofrep' } as const;
  readonly runsOn = 'server' as const;
  readonly hooks = [];
  private readonly api: OFREPApi;
  private retryAfterMs = 0;

  constructor(options: MonoenvOfrepProviderOptions) {
    const headers: Array<[string, string]> = [...(options.headers ?? [])];
    if (options.apiKey) headers.push(['Authorization', `Bearer ${options.apiKey}`]);
    this.api = new OFREPApi(
      { baseUrl: options.baseUrl.replace(/\/+$/, ''), timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, headers },
      options.fetchImplementation,
    );
  }

  resolveBooleanEvaluation(flagKey: string, defaultValue: boolean, context: EvaluationContext): Promise<ResolutionDetails<boolean>> {
    return this.evaluate(flagKey, defaultValue, context, 'boolean');
  }

  resolveStringEvaluation(flagKey: string, defaultValue: string, context: EvaluationContext): Promise<ResolutionDetails<string>> {
    return this.evaluate(flagKey, defaultValue, context, 'string');
  }

  resolveNumberEvaluation(flagKey: string, defaultValue: number, context: EvaluationContext): Promise<ResolutionDetails<number>> {
    return this.evaluate(flagKey, defaultValue, context, 'number');
  }

  resolveObjectEvaluation<T extends JsonValue>(
    flagKey: string,
    defaultValue: T,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<T>> {
    return this.evaluate(flagKey, defaultValue, context, 'object');
  }

  async onClose(): Promise<void> {
    this.api.close();
  }

  private async evaluate<T extends EvaluationFlagValue>(
    flagKey: string,
    defaultValue: T,
    context: EvaluationContext,
    expected: ExpectedType,
  ): Promise<ResolutionDetails<T>> {
    if (Date.now() < this.retryAfterMs)
      return failed(defaultValue, ErrorCode.GENERAL, 'rate limited by the flag API; waiting for Retry-After');
    try {
      const result = await this.api.postEvaluateFlag(flagKey, { context });
      if (result.httpStatus !== 200) return handleEvaluationError(result.value, defaultValue);
      const { value } = result.value;
      // ofrep-core compares `typeof` only; an object flag must not be satisfied by null.
      if (value !== undefined && (typeof value !== expected || value === null)) {
        return failed(defaultValue, ErrorCode.TYPE_MISMATCH, `flag '${flagKey}' is not a ${expected} flag`);
      }
      return toResolutionDetails(result.value, defaultValue);
    } catch (error) {
      if (error instanceof OFREPApiTooManyRequestsError) {
        this.retryAfterMs = error.retryAfterDate?.getTime() ?? Date.now() + 1000;
        return failed(defaultValue, ErrorCode.GENERAL, error.message);
      }
      if (error instanceof OFREPApiUnauthorizedError || error instanceof OFREPForbiddenError) {
        return failed(defaultValue, ErrorCode.GENERAL, `the flag API refused the API key (${error.response?.status})`);
      }
      return failed(defaultValue, ErrorCode.GENERAL, `flag API request failed: ${(error as Error).message}`);
    }
  }
}

function failed<T>(defaultValue: T, errorCode: ErrorCode, errorMessage: string): ResolutionDetails<T> {
  return { value: defaultValue, reason: StandardResolutionReasons.ERROR, errorCode, errorMessage };
}
