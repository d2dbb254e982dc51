import type { HttpHandler, HttpRequest } from './http';
import { errorResponse } from './http';
import { defaultLambdaIo } from './lambda-io';

/** The parts of a Lambda function URL (payload format 2.0) event that monoenv reads. */
export interface FunctionUrlEvent {
  rawPath?: string;
  rawQueryString?: string;
  headers?: Record<string, string | undefined>;
  queryStringParameters?: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded?: boolean;
  requestContext?: { http?: { method?: string; sourceIp?: string } };
}

export interface FunctionUrlResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export function requestFromFunctionUrl(event: FunctionUrlEvent): HttpRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) {
    if (value !== undefined) query[name] = value;
  }
  const rawBody = event.body ?? '';
  return {
    method: (event.requestContext?.http?.method ?? 'GET').toUpperCase(),
    path: event.rawPath ?? '/',
    headers,
    query,
    body: event.isBase64Encoded ? Buffer.from(rawBody, 'base64').toString('utf8') : rawBody,
    sourceIp: event.requestContext?.http?.sourceIp,
  };
}

/** The part of the Lambda context monoenv reads. */
export interface FunctionContext {
  getRemainingTimeInMillis(): number;
}

/**
 * Adapts an HttpHandler to a Lambda function URL (or HTTP API) handler; unexpected errors become a logged 500.
 * The context's remaining time reaches the handler, so it can answer before the function times out.
 */
export function functionUrlHandler(
  handler: HttpHandler,
  logError: (message: string, error?: unknown) => void = defaultLambdaIo.logError,
): (event: FunctionUrlEvent, context?: FunctionContext) => Promise<FunctionUrlResult> {
  return async (event, context) => {
    try {
      const response = await handler(
        requestFromFunctionUrl(event),
        context ? { remainingTimeMs: () => context.getRemainingTimeInMillis() } : undefined,
      );
      return { statusCode: response.status, headers: response.headers, body: response.body };
    } catch (error) {
      logError('unhandled error', error);
      const response = errorResponse(error);
      return { statusCode: response.status, headers: response.headers, body: response.body };
    }
  };
}
