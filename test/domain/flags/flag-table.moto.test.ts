import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { OFREPApi } from '@openfeature/ofrep-core';
import { run } from '../../../cli/flags/command';
import { FlagValidationError } from '../../../domain/flags/evaluator';
import { createFlagCache } from '../../../lambdas/flag-evaluation/flag-cache';
import {
  ConcurrentModificationError,
  loadFlagSet,
  readFlag,
  readHistory,
  updateFlag,
  writeFlagDocument,
} from '../../../domain/flags/flag-table';
import type { RequestMetrics } from '../../../lambdas/flag-evaluation/metrics';
import { createOfrepHandler } from '../../../lambdas/flag-evaluation/ofrep';
import { serveHttp, type RunningServer } from '../../../lambdas/shared/node-http';
import { createPkSkTable, describeWithMoto, motoClientConfig } from '../../support/moto';
import { fixtureDocument } from '../../support/flag-fixtures';

describeWithMoto('flag table on DynamoDB (moto): CLI edits reach the OFREP handler', (moto) => {
  const table = 'flags-test';
  let documents: DynamoDBDocumentClient;
  let server: RunningServer;
  let clock = 1_000_000;
  const metrics: RequestMetrics[] = [];

  const cli = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await run(
      [...argv, '--table', table, '--endpoint', moto().endpoint, '--region', 'us-east-1', '--actor', 'alice@example.com'],
      {
        out: (t) => out.push(t),
        err: (t) => err.push(t),
      },
    );
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  const evaluate = (key: string, context: Record<string, string> = {}) =>
    new OFREPApi({ baseUrl: server.url }).postEvaluateFlag(key, { context });
  /** Past the cache's max age: the next request waits for a fresh read of the table. */
  const afterRefreshInterval = () => {
    clock += 5000;
  };

  beforeAll(async () => {
    const dynamo = new DynamoDBClient(motoClientConfig(moto().endpoint));
    await createPkSkTable(dynamo, table);
    documents = DynamoDBDocumentClient.from(dynamo);
    const doc = fixtureDocument();
    doc.$evaluators = { british: { '==': [{ var: 'lang' }, 'en-GB'] } };
    doc.flags['string-flag'].targeting = { if: [{ $ref: 'british' }, 'bye', null] };
    await writeFlagDocument(documents, table, doc);
    const cache = createFlagCache({ load: () => loadFlagSet(documents, table), now: () => clock, refreshAfterMs: 2000, maxAgeMs: 4000 });
    server = await serveHttp(
      createOfrepHandler({ flags: cache.get, apiKeys: 'none', metrics: (m) => metrics.push(m), logError: () => undefined }),
    );
  });
  afterAll(async () => {
    await server?.close();
  });

  it('serves the flags as deployed, shared evaluators included', async () => {
    expect((await evaluate('bool-flag')).value).toMatchObject({ value: true, reason: 'STATIC' });
    expect((await evaluate('string-flag', { lang: 'en-GB' })).value).toMatchObject({ value: 'goodbye', reason: 'TARGETING_MATCH' });
  });

  it('lists the flags as the deploy wrote them', async () => {
    const { code, out } = await cli('list', '--json');
    expect(code).toBe(0);
    const items = JSON.parse(out) as Array<{ key: string; version: number; updatedBy: string }>;
    expect(items.map((i) => i.key)).toContain('bool-flag');
    expect(items.every((i) => i.version === 1 && i.updatedBy === 'deploy')).toBe(true);
  });

  it('a kill switch (flags disable) takes effect after the refresh interval, and is audited', async () => {
    const { code } = await cli('disable', 'bool-flag');
    expect(code).toBe(0);
    afterRefreshInterval();
    expect((await evaluate('bool-flag')).value).toMatchObject({ reason: 'DISABLED' });
    expect((await evaluate('bool-flag')).value).not.toHaveProperty('value');

    const item = await readFlag(documents, table, 'bool-flag');
    expect(item).toMatchObject({ version: 2, updatedBy: 'alice@example.com' });
    const history = await cli('history', 'bool-flag', '--json');
    expect(JSON.parse(history.out)).toEqual([
      expect.objectContaining({
        action: 'disable',
        actor: 'alice@example.com',
        version: 2,
        before: expect.objectContaining({ state: 'ENABLED' }),
        after: expect.objectContaining({ state: 'DISABLED' }),
      }),
    ]);

    expect((await cli('enable', 'bool-flag')).code).toBe(0);
    afterRefreshInterval();
    expect((await evaluate('bool-flag')).value).toMatchObject({ value: true });
  });

  it('set-weights moves every user to the variant given all the weight', async () => {
    expect((await cli('set-weights', 'experiment-flag', 'control=0', 'treatment=100')).code).toBe(0);
    afterRefreshInterval();
    for (const user of ['a', 'b', 'c', 'd', 'e']) {
      expect((await evaluate('experiment-flag', { targetingKey: user })).value).toMatchObject({ variant: 'treatment', value: true });
    }
    const { out } = await cli('show', 'experiment-flag', '--json');
    expect(JSON.parse(out).definition.targeting).toEqual({
      fractional: [
        ['control', 0],
        ['treatment', 100],
      ],
    });
  });

  it('set-default changes what is served when no rule matches', async () => {
    expect((await cli('set-default', 'number-flag', 'small')).code).toBe(0);
    afterRefreshInterval();
    expect((await evaluate('number-flag')).value).toMatchObject({ value: 1, variant: 'small' });
  });

  it('refuses edits that make no sense with exit code 1 and writes nothing', async () => {
    const noSplit = await cli('set-weights', 'bool-flag', 'on=1');
    expect(noSplit).toMatchObject({ code: 1 });
    expect(noSplit.err).toMatch(/no fractional rule/);
    const badVariant = await cli('set-default', 'number-flag', 'huge');
    expect(badVariant.code).toBe(1);
    expect(badVariant.err).toMatch(/'huge' is not one of the flag's variants/);
    const missing = await cli('disable', 'no-such-flag');
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/no-such-flag/);
    expect((await readFlag(documents, table, 'number-flag')).version).toBe(2);
  });

  it('reports usage errors with exit code 2', async () => {
    expect((await cli('enable')).code).toBe(2);
    expect((await cli('frobnicate', 'x')).code).toBe(2);
    expect((await cli('set-weights', 'experiment-flag', 'control:1')).code).toBe(1);
  });

  it('refuses a change that would make the flag set invalid, before writing', async () => {
    const before = await readFlag(documents, table, 'object-flag');
    await expect(updateFlag(documents, table, 'object-flag', (f) => ({ ...f, defaultVariant: 'zzz' }), 'bob')).rejects.toBeInstanceOf(
      FlagValidationError,
    );
    expect((await readFlag(documents, table, 'object-flag')).version).toBe(before.version);
  });

  it('refuses a concurrent edit with ConcurrentModificationError and loses neither change', async () => {
    const before = await readFlag(documents, table, 'string-flag');
    // A client that lets another editor commit between our read and our write.
    let interfered = false;
    const racing = {
      send: async (command: unknown) => {
        if (command instanceof TransactWriteCommand && !interfered) {
          interfered = true;
          await updateFlag(documents, table, 'string-flag', (f) => ({ ...f, defaultVariant: 'bye' }), 'carol', { action: 'set-default' });
        }
        return documents.send(command as never);
      },
    } as unknown as DynamoDBDocumentClient;

    await expect(
      updateFlag(racing, table, 'string-flag', (f) => ({ ...f, state: 'DISABLED' }), 'dave', { action: 'disable' }),
    ).rejects.toBeInstanceOf(ConcurrentModificationError);
    const after = await readFlag(documents, table, 'string-flag');
    expect(after).toMatchObject({ version: before.version + 1, updatedBy: 'carol' });
    expect(after.definition).toMatchObject({ state: 'ENABLED', defaultVariant: 'bye' });
    const history = await readHistory(documents, table, 'string-flag');
    expect(history.map((h) => h.actor)).toEqual(['carol']);
  });

  it('keeps serving the last good set, reported stale, when the table becomes unreachable', async () => {
    await new DynamoDBClient(motoClientConfig(moto().endpoint)).send(new DeleteTableCommand({ TableName: table }));
    afterRefreshInterval();
    const res = await evaluate('number-flag');
    expect(res.value).toMatchObject({ value: 1 });
    expect(metrics.at(-1)).toMatchObject({ flagStoreStale: true });
  });
});
