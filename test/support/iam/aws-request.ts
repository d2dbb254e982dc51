import type { IncomingHttpHeaders } from 'node:http';

/**
 * Reads who called which AWS operation with what input from a raw HTTP request, across the wire
 * protocols the SDK v3 clients use: JSON (X-Amz-Target), query (form `Action=`), RPC v2 CBOR (operation
 * in the path) and REST-JSON (operation in the method and path, looked up per service below).
 */

export interface RawRequest {
  readonly method: string;
  /** Path and query string, as sent. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface AwsRequest {
  /** The SigV4 access key id, or `anonymous` for an unsigned request. */
  readonly principal: string;
  /** The SigV4 signing name, e.g. `dynamodb`, `monitoring`. */
  readonly signingName: string;
  readonly region: string;
  /** `''` when no operation could be read. */
  readonly operation: string;
  /** The request's parameters: the JSON body, or the query/form parameters. */
  readonly input: Record<string, unknown>;
}

// REST-JSON services name the operation by route. Only the routes our code calls; others stay unknown.
const REST_ROUTES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  inspector2: {
    'POST /coverage/list': 'ListCoverage',
    'POST /findings/list': 'ListFindings',
    'POST /status/batch/get': 'BatchGetAccountStatus',
  },
};

const CREDENTIAL = /Credential=([^/,\s]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/;

/** Access key id, region and signing name from the Authorization header or a presigned URL's query. */
export function credentialScope(headers: IncomingHttpHeaders, url: string): { principal: string; region: string; signingName: string } {
  const authorization = String(headers.authorization ?? '');
  const query = new URL(url, 'http://local').searchParams.get('X-Amz-Credential');
  const match = CREDENTIAL.exec(authorization) ?? (query ? CREDENTIAL.exec(`Credential=${query}`) : null);
  if (!match) return { principal: 'anonymous', region: '', signingName: '' };
  return { principal: match[1], region: match[2], signingName: match[3] };
}

function parseJson(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function parseAwsRequest(request: RawRequest): AwsRequest {
  const scope = credentialScope(request.headers, request.url);
  const url = new URL(request.url, 'http://local');
  const contentType = String(request.headers['content-type'] ?? '');
  const base = { principal: scope.principal, signingName: scope.signingName, region: scope.region };

  const target = request.headers['x-amz-target'];
  if (typeof target === 'string' && target) {
    // `DynamoDB_20120810.GetItem`, `secretsmanager.GetSecretValue`, `AmazonSQS.SendMessage`.
    return { ...base, operation: target.slice(target.lastIndexOf('.') + 1), input: parseJson(request.body) };
  }
  const cbor = /^\/service\/[^/]+\/operation\/([^/?]+)/.exec(url.pathname);
  if (cbor) {
    // RPC v2 CBOR: the body is CBOR, which we do not decode; the operation is enough for `*` resources.
    return { ...base, operation: decodeURIComponent(cbor[1]), input: {} };
  }
  const form = contentType.includes('application/x-www-form-urlencoded') ? new URLSearchParams(request.body.toString('utf8')) : undefined;
  const action = form?.get('Action') ?? url.searchParams.get('Action');
  if (action) {
    const params = Object.fromEntries([...url.searchParams, ...(form ?? [])]);
    return { ...base, operation: action, input: params };
  }
  const route = REST_ROUTES[scope.signingName]?.[`${request.method.toUpperCase()} ${url.pathname}`];
  return { ...base, operation: route ?? '', input: parseJson(request.body) };
}
