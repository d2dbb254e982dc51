import type { FlagDocument } from '../../domain/flags/evaluator';
import { compileFlagSet } from '../../domain/flags/evaluator';
import type { CompiledFlagSet } from '../../domain/flags/evaluator';
import type { FlagSetSource } from '../../lambdas/flag-evaluation/flag-cache';
import type { OfrepHandlerOptions } from '../../lambdas/flag-evaluation/ofrep';
import { createOfrepHandler } from '../../lambdas/flag-evaluation/ofrep';
import { serveHttp, type RunningServer } from '../../lambdas/shared/node-http';

/** A small flag set covering every value type, targeting, a split, an experiment and a disabled flag. */
export function fixtureDocument(): FlagDocument {
  return {
    flags: {
      'bool-flag': { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'on' },
      'string-flag': {
        state: 'ENABLED',
        variants: { hello: 'hi', bye: 'goodbye' },
        defaultVariant: 'hello',
        targeting: { if: [{ '==': [{ var: 'lang' }, 'en-GB'] }, 'bye', null] },
      },
      'number-flag': { state: 'ENABLED', variants: { small: 1, big: 100 }, defaultVariant: 'big' },
      'object-flag': { state: 'ENABLED', variants: { a: { color: 'red' }, b: { color: 'blue' } }, defaultVariant: 'a' },
      'experiment-flag': {
        state: 'ENABLED',
        variants: { control: false, treatment: true },
        defaultVariant: 'control',
        targeting: {
          fractional: [
            ['control', 50],
            ['treatment', 50],
          ],
        },
        metadata: { experiment: true },
      },
      'disabled-flag': { state: 'DISABLED', variants: { on: true, off: false }, defaultVariant: 'on' },
    },
    metadata: { flagSetId: 'fixture' },
  };
}

/** The document with `clientVisible: true` in the metadata of the flags named: what client (browser) keys may see. */
export function withClientVisible(doc: FlagDocument, keys: readonly string[]): FlagDocument {
  for (const key of keys) doc.flags[key].metadata = { ...doc.flags[key].metadata, clientVisible: true };
  return doc;
}

export const fixtureSet = (doc: FlagDocument = fixtureDocument()): CompiledFlagSet => compileFlagSet(doc);

/** A flag source whose set a test can swap. */
export function swappableSource(initial: CompiledFlagSet = fixtureSet()): { source: FlagSetSource; swap(set: CompiledFlagSet): void } {
  let current = initial;
  return {
    source: async () => ({ set: current, stale: false, ageSeconds: 0 }),
    swap: (set) => {
      current = set;
    },
  };
}

/** Serves the OFREP handler on loopback for one describe block; keyless (`apiKeys: 'none'`) unless given keys. */
export function useOfrepServer(
  options: () => Omit<OfrepHandlerOptions, 'apiKeys'> & Partial<Pick<OfrepHandlerOptions, 'apiKeys'>>,
): () => RunningServer {
  let server: RunningServer | undefined;
  beforeAll(async () => {
    server = await serveHttp(createOfrepHandler({ logError: () => undefined, apiKeys: 'none', ...options() }));
  });
  afterAll(async () => {
    await server?.close();
  });
  return () => {
    if (!server) throw new Error('server not started');
    return server;
  };
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; json: any }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
}
