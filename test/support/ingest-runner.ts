import { exchange, type HostileAnswer, type HostileRequest } from './ingest-http-client';

/**
 * Runs a corpus of hostile requests over real HTTP against each of several targets (the same handler behind
 * different transports), one jest test per case and target. Transport-neutral: a corpus for another API (OFREP)
 * can run on it as is. Every case asserts, beyond its own expectation:
 * - never a 5xx, and never a connection dropped without an answer unless the case says so;
 * - exactly the records the case lists are stored (valid events in a mixed batch are never lost, invalid ones
 *   never written);
 * - nothing reached the targets' error logs (a crash shows there before it shows as a 500).
 */
export interface Expectation {
  /** The status, or 'closed' for a connection ended without an answer. */
  readonly status: number | 'closed';
  /** `errorCode` of an API answer, or `message` of a gateway's own; undefined = none (e.g. a 2xx, a HEAD). */
  readonly code?: string;
  /** The answer (or the close) comes within this many ms: for clients that stall. */
  readonly withinMs?: number;
  /** Further checks on the answer. */
  readonly check?: (answer: HostileAnswer) => void;
}

export interface HostileCase {
  readonly name: string;
  /** What kind of hostility, for reading the corpus: 'malformed JSON', 'deep nesting', ... */
  readonly category: string;
  readonly request: HostileRequest;
  readonly expect: Expectation;
  /** Where a transport answers on its own (a gateway's 404 or 413), what it answers instead. Keyed by target name. */
  readonly expectVia?: Readonly<Record<string, Partial<Expectation>>>;
  /** Records the target must hold afterwards, in order (by the target's own label, e.g. messageId). @default [] */
  readonly stored?: readonly string[];
  /** Further checks on the stored records themselves (e.g. text kept exactly as sent). */
  readonly checkStored?: (records: readonly unknown[]) => void;
}

export interface StoredRecord {
  /** What `HostileCase.stored` lists, e.g. the messageId. */
  readonly label: string;
  readonly record: unknown;
}

export interface CorpusTarget {
  readonly name: string;
  /** Base URL; read when the case runs (targets start in beforeAll). */
  url(): string;
  /** What was stored since the last `reset`, in order. */
  stored(): readonly StoredRecord[];
  /** Error lines logged since the last `reset` (unhandled errors, failed functions). */
  errors(): readonly string[];
  reset(): void;
}

/** The code an answer carries: our APIs' `errorCode`, or API Gateway's `message`. */
export const codeOf = (answer: HostileAnswer): string | undefined => answer.json?.errorCode ?? answer.json?.message;

export function expectationFor(testCase: HostileCase, target: string): Expectation {
  return { ...testCase.expect, ...testCase.expectVia?.[target] };
}

/** Registers the corpus: a describe per target, a test per case. */
export function runCorpus(cases: readonly HostileCase[], targets: readonly CorpusTarget[], giveUpMs = 15_000): void {
  const names = cases.map((c) => `${c.category}: ${c.name}`);
  const repeated = names.filter((name, i) => names.indexOf(name) !== i);
  if (repeated.length > 0) throw new Error(`corpus cases need distinct names: ${repeated.join(', ')}`);
  for (const target of targets) {
    describe(`via ${target.name}`, () => {
      beforeEach(() => target.reset());
      it.each(cases.map((c) => [`${c.category}: ${c.name}`, c] as const))('%s', async (_name, testCase) => {
        const expected = expectationFor(testCase, target.name);
        const answer = await exchange(target.url(), testCase.request, giveUpMs);
        const seen = {
          status: answer.status ?? 'closed',
          code: codeOf(answer),
          stored: target.stored().map((r) => r.label),
          errors: target.errors(),
        };
        expect(seen).toEqual({ status: expected.status, code: expected.code, stored: testCase.stored ?? [], errors: [] });
        if (typeof answer.status === 'number') expect(answer.status).toBeLessThan(500);
        if (expected.withinMs !== undefined) expect(answer.elapsedMs).toBeLessThan(expected.withinMs);
        expected.check?.(answer);
        testCase.checkStored?.(target.stored().map((r) => r.record));
      });
    });
  }
}
