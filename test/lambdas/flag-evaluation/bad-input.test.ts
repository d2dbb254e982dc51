import { staticApiKeys } from '../../../lambdas/shared/api-keys';
import { MAX_CONTEXT_DEPTH } from '../../../lambdas/flag-evaluation/ofrep';
import { swappableSource, useOfrepServer } from '../../support/flag-fixtures';

/** A body whose context holds arrays nested `levels` deep under one property (`levels` + 1 levels in all). */
const deepContext = (levels: number) => `{"context": {"a": ${'['.repeat(levels)}${']'.repeat(levels)}}}`;

/** Every malformed request gets a 4xx with an OFREP error code, never a 500 or a dropped connection. */
describe('OFREP bad input', () => {
  const flags = swappableSource();
  const server = useOfrepServer(() => ({ flags: flags.source, apiKeys: staticApiKeys({ server: ['k'] }) }));

  const send = async (path: string, init: RequestInit & { headers?: Record<string, string> } = {}) => {
    const res = await fetch(`${server().url}${path}`, { method: 'POST', ...init, headers: { authorization: 'Bearer k', ...init.headers } });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const single = '/ofrep/v1/evaluate/flags/bool-flag';
  const bulk = '/ofrep/v1/evaluate/flags';
  const json = { 'content-type': 'application/json' };

  const cases: Array<[string, string, RequestInit & { headers?: Record<string, string> }, number, string]> = [
    ['malformed JSON', single, { body: '{"context": ', headers: json }, 400, 'PARSE_ERROR'],
    ['malformed JSON (bulk)', bulk, { body: 'nope', headers: json }, 400, 'PARSE_ERROR'],
    ['wrong content type', single, { body: '{"context": {}}', headers: { 'content-type': 'text/plain' } }, 415, 'PARSE_ERROR'],
    ['oversized body', single, { body: JSON.stringify({ context: { pad: 'x'.repeat(70 * 1024) } }), headers: json }, 413, 'PARSE_ERROR'],
    ['body is an array', single, { body: '[1, 2]', headers: json }, 400, 'PARSE_ERROR'],
    ['body is a string', bulk, { body: '"context"', headers: json }, 400, 'PARSE_ERROR'],
    ['body is null', single, { body: 'null', headers: json }, 400, 'PARSE_ERROR'],
    ['context is an array', single, { body: '{"context": [1]}', headers: json }, 400, 'INVALID_CONTEXT'],
    ['context is a string', bulk, { body: '{"context": "u1"}', headers: json }, 400, 'INVALID_CONTEXT'],
    ['context is null', single, { body: '{"context": null}', headers: json }, 400, 'INVALID_CONTEXT'],
    ['targetingKey is a number', single, { body: '{"context": {"targetingKey": 42}}', headers: json }, 400, 'INVALID_CONTEXT'],
    ['context nested 5,000 deep', single, { body: deepContext(5000), headers: json }, 400, 'INVALID_CONTEXT'],
    ['context nested 5,000 deep (bulk)', bulk, { body: deepContext(5000), headers: json }, 400, 'INVALID_CONTEXT'],
    [
      'context one level deeper than the limit (bulk)',
      bulk,
      { body: deepContext(MAX_CONTEXT_DEPTH), headers: json },
      400,
      'INVALID_CONTEXT',
    ],
    ['unknown flag', '/ofrep/v1/evaluate/flags/nope', { body: '{}', headers: json }, 404, 'FLAG_NOT_FOUND'],
    ['flag key with bad percent-encoding', '/ofrep/v1/evaluate/flags/%E0%A4%A', { body: '{}', headers: json }, 400, 'PARSE_ERROR'],
    ['unknown route', '/ofrep/v2/evaluate', { body: '{}', headers: json }, 404, 'GENERAL'],
    ['nested unknown route', '/ofrep/v1/evaluate/flags/a/b', { body: '{}', headers: json }, 404, 'GENERAL'],
    ['wrong method', single, { method: 'GET' }, 405, 'GENERAL'],
    ['wrong method (bulk)', bulk, { method: 'DELETE' }, 405, 'GENERAL'],
    ['no API key', single, { body: '{}', headers: { ...json, authorization: '' } }, 401, 'GENERAL'],
    ['wrong API key', single, { body: '{}', headers: { ...json, authorization: 'Bearer nope' } }, 403, 'GENERAL'],
  ];

  it.each(cases)('%s (%s)', async (_name, path, init, status, code) => {
    const { status: got, body } = await send(path, init);
    expect({ status: got, errorCode: body?.errorCode }).toEqual({ status, errorCode: code });
    expect(typeof body.errorDetails).toBe('string');
  });

  it('accepts a context nested exactly as deep as the limit, on both routes', async () => {
    const body = deepContext(MAX_CONTEXT_DEPTH - 1); // the context object itself is one level
    expect((await send(single, { body, headers: json })).status).toBe(200);
    expect((await send(bulk, { body, headers: json })).status).toBe(200);
  });

  it('gives the same answer for the same too-deep body on both routes', async () => {
    const body = deepContext(5000);
    const { body: one } = await send(single, { body, headers: json });
    const { body: all } = await send(bulk, { body, headers: json });
    expect(one).toEqual({ key: 'bool-flag', ...all });
  });

  it('names the flag key in single-flag 400 bodies, as OFREP requires', async () => {
    const { body } = await send(single, { body: '{"context": [1]}', headers: json });
    expect(body.key).toBe('bool-flag');
  });

  it('accepts an empty body as an empty context', async () => {
    const { status, body } = await send(single, { body: '' });
    expect(status).toBe(200);
    expect(body.value).toBe(true);
  });

  it('keeps serving after a storm of bad requests', async () => {
    await Promise.all(cases.map(([, path, init]) => send(path, init)));
    expect((await send(single, { body: '{}', headers: json })).status).toBe(200);
  });
});
