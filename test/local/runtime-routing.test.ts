import { routeByPath } from '../../cli/local/runtime';
import type { HttpHandler, HttpRequest } from '../../lambdas/shared/http';

const request = (path: string): HttpRequest => ({ method: 'POST', path, headers: {}, query: {}, body: '' });
const named = (name: string): HttpHandler => async () => ({ status: 200, headers: {}, body: name });

describe('one port, two APIs', () => {
  const route = routeByPath(named('flags'), named('ingest'));

  it('sends OFREP paths to the flag API and everything else to ingestion (which answers 404 for unknown paths)', async () => {
    expect((await route(request('/ofrep/v1/evaluate/flags'))).body).toBe('flags');
    expect((await route(request('/ofrep/v1/evaluate/flags/new-checkout'))).body).toBe('flags');
    expect((await route(request('/v1/events'))).body).toBe('ingest');
    expect((await route(request('/ofrepx'))).body).toBe('ingest');
  });

  it('answers a health check itself', async () => {
    expect(await route(request('/health'))).toMatchObject({ status: 200, body: JSON.stringify({ status: 'ok' }) });
  });
});
