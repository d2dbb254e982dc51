import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { loadFlagDir } from '../../../domain/flags/flag-files';
import type { CompiledFlagSet } from '../../../domain/flags/evaluator';
import { loadFlagSet } from '../../../domain/flags/flag-table';
import { CURRENT_SK, flagPk } from '../../../domain/flags/table-layout';
import type { EventRecord } from '../../../domain/events/event-record';
import { tempDir } from '../../support/temp';
import { postJson, useOfrepServer } from '../../support/flag-fixtures';

/**
 * Flag names that are also Object.prototype's: a plain-object lookup finds the inherited property, and assigning
 * `__proto__` replaces a prototype instead of adding a flag. Each must behave as any other name, end to end.
 */
const NAMES = ['constructor', 'toString', 'valueOf', '__proto__'] as const;

// Written as text: an object literal with a `__proto__` key would set a prototype instead of holding a flag.
const flagFile = (names: readonly string[]) =>
  `{"flags": {${names
    .map(
      (name, i) =>
        `${JSON.stringify(name)}: {"state": "ENABLED", "variants": {"on": ${i}, "off": -1}, "defaultVariant": "on", "metadata": {"experiment": true, "clientVisible": true}}`,
    )
    .join(', ')}}, "metadata": {"flagSetId": "names"}}`;

describe.each([
  [
    'flag files (monoenv flags serve, the deploy)',
    (): CompiledFlagSet => {
      const dir = tempDir('monoenv-names-');
      writeFileSync(join(dir, 'names.json'), flagFile(NAMES));
      writeFileSync(
        join(dir, 'other.json'),
        '{"flags": {"plain": {"state": "ENABLED", "variants": {"on": true}, "defaultVariant": "on"}}, "metadata": {"flagSetId": "names"}}',
      );
      const { set, document } = loadFlagDir(dir);
      expect(Object.keys(document.flags).sort()).toEqual([...NAMES, 'plain'].sort());
      return set;
    },
  ],
  [
    'the flag table (the Lambda)',
    async (): Promise<CompiledFlagSet> => {
      const parsed = JSON.parse(flagFile(NAMES)) as { flags: Record<string, unknown> };
      const items = [
        ...Object.entries(parsed.flags).map(([key, flag]) => ({
          pk: flagPk(key),
          sk: CURRENT_SK,
          key,
          definition: JSON.stringify(flag),
          version: 1,
        })),
        {
          pk: flagPk('plain'),
          sk: CURRENT_SK,
          key: 'plain',
          definition: '{"state": "ENABLED", "variants": {"on": true}, "defaultVariant": "on"}',
          version: 1,
        },
        { pk: 'set', sk: 'metadata', definition: '{"flagSetId": "names"}' },
      ];
      const client = { send: async () => ({ Items: items }) } as unknown as DynamoDBDocumentClient;
      return loadFlagSet(client, 'monoenv-flags');
    },
  ],
])('flags named like Object.prototype members, from %s', (_source, load) => {
  let set: CompiledFlagSet | undefined;
  const recorded: EventRecord[] = [];
  const server = useOfrepServer(() => ({
    flags: async () => ({ set: set!, stale: false, ageSeconds: 0 }),
    apiKeys: { get: async () => ({ server: ['server-key'], client: ['browser-key'] }) },
    exposures: {
      record: async (exposures) => {
        recorded.push(...exposures);
      },
    },
    now: () => Date.parse('2026-01-02T03:04:05Z'),
  }));
  beforeAll(async () => {
    set = await load();
  });
  beforeEach(() => {
    recorded.length = 0;
  });

  it('compiles every one of them', () => {
    expect([...set!.flags.keys()].sort()).toEqual([...NAMES, 'plain'].sort());
  });

  it.each(NAMES.map((name, i) => [name, i] as const))(
    'evaluates %s alone, with its own value, and records its exposure',
    async (name, value) => {
      const res = await postJson(
        `${server().url}/ofrep/v1/evaluate/flags/${encodeURIComponent(name)}`,
        { context: { targetingKey: 'user-1' } },
        { 'x-api-key': 'browser-key' },
      );
      expect([res.status, res.json]).toEqual([
        200,
        { key: name, value, variant: 'on', reason: 'STATIC', metadata: { flagSetId: 'names', experiment: true, clientVisible: true } },
      ]);
      expect(recorded).toHaveLength(1);
      expect(recorded[0]).toMatchObject({
        userKey: 'user-1',
        properties: { experiment: name },
        featureFlags: [{ 'feature_flag.key': name, 'feature_flag.result.variant': 'on' }],
      });
    },
  );

  it('evaluates all of them in bulk, to client keys too (clientVisible is their own), and records an exposure for each', async () => {
    for (const key of ['server-key', 'browser-key']) {
      recorded.length = 0;
      const res = await postJson(`${server().url}/ofrep/v1/evaluate/flags`, { context: { targetingKey: 'user-2' } }, { 'x-api-key': key });
      expect(res.status).toBe(200);
      const values = Object.fromEntries((res.json.flags as Array<{ key: string; value: unknown }>).map((f) => [f.key, f.value]));
      expect(Object.getPrototypeOf(values)).toBe(Object.prototype);
      for (const [i, name] of NAMES.entries()) expect(Object.prototype.hasOwnProperty.call(values, name) && values[name]).toBe(i);
      expect(recorded.map((e) => e.featureFlags[0]['feature_flag.key']).sort()).toEqual([...NAMES].sort());
    }
  });

  it('answers FLAG_NOT_FOUND for other inherited names that are not flags', async () => {
    for (const name of ['hasOwnProperty', 'prototype', '__defineGetter__']) {
      const res = await postJson(`${server().url}/ofrep/v1/evaluate/flags/${name}`, { context: {} }, { 'x-api-key': 'server-key' });
      expect([res.status, res.json.errorCode]).toEqual([404, 'FLAG_NOT_FOUND']);
    }
  });
});
