import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { updateFlag, writeFlagDocument } from '../../../domain/flags/flag-table';
import { CURRENT_SK, flagPk } from '../../../domain/flags/table-layout';
import { createFlagHandler } from '../../../lambdas/flag-evaluation/handler';
import { manualClock } from '../../support/clock';
import type { FunctionUrlEvent, FunctionUrlResult } from '../../../lambdas/shared/function-url';
import { createPkSkTable, describeWithMoto, motoClientConfig, useFunctionEnvironment } from '../../support/moto';

/**
 * The deployed handler over a table where flags were broken by hand (DynamoDB console): each broken
 * flag answers its own OFREP error while the good flag evaluates and its kill switch still lands.
 */
describeWithMoto(
  'flag Lambda handler with a hand-broken flag in the table (moto)',
  (moto) => {
    // The production stack's names and the function's own credentials: the suite ends with an IAM evaluation of its calls.
    const table = 'monoenv-flags';
    let restoreEnv: () => void = () => undefined;
    const clock = manualClock(Date.parse('2026-11-25T10:00:00Z'));
    const errors: string[] = [];
    let documents: DynamoDBDocumentClient;
    let handler: (event: FunctionUrlEvent) => Promise<FunctionUrlResult>;

    const checkout = { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'on' };
    const evaluate = async (key?: string) => {
      const result = await handler({
        rawPath: key === undefined ? '/ofrep/v1/evaluate/flags' : `/ofrep/v1/evaluate/flags/${key}`,
        headers: { 'content-type': 'application/json', 'x-api-key': 'server-secret' },
        body: JSON.stringify({ context: { targetingKey: 'user-1' } }),
        requestContext: { http: { method: 'POST', sourceIp: '127.0.0.1' } },
      });
      return { status: result.statusCode, body: JSON.parse(result.body) };
    };
    /** Writes a flag item as someone in the console would: any definition text, no validation. */
    const putByHand = (key: string, definition: string, version = 1) =>
      documents.send(
        new PutCommand({ TableName: table, Item: { pk: flagPk(key), sk: CURRENT_SK, key, definition, version, updatedBy: 'console' } }),
      );
    /** Past the flag cache's max age (4 s): the next request waits for a fresh read of the table. */
    const afterRefreshInterval = () => {
      clock.advance(5000);
    };

    beforeAll(async () => {
      const dynamo = new DynamoDBClient(motoClientConfig(moto().endpoint));
      await createPkSkTable(dynamo, table);
      documents = DynamoDBDocumentClient.from(dynamo);
      await writeFlagDocument(documents, table, { flags: { checkout: checkout as never } });
      await putByHand(
        'banner',
        JSON.stringify({ state: 'ENABLED', variants: { a: 'A' }, defaultVariant: 'a', targeting: { if: [{ no_such_op: [] }, 'a', null] } }),
      );
      await putByHand('pricing', '{"state": "ENABLED", "variants": {"a": 1},'); // truncated while editing

      // The SDK's own settings come from the process environment, as in Lambda.
      restoreEnv = useFunctionEnvironment(moto().endpoint, 'monoenv-flags-evaluate');
      handler = createFlagHandler(
        { FLAGS_TABLE: table, API_KEYS_JSON: JSON.stringify({ server: ['server-secret'], client: [] }) },
        { now: clock.now, writeLine: () => undefined, logError: (message) => errors.push(message) },
      );
    });
    afterAll(() => {
      restoreEnv();
    });

    it('answers a broken flag with a 400 PARSE_ERROR naming the problem', async () => {
      expect(await evaluate('banner')).toMatchObject({
        status: 400,
        body: { key: 'banner', errorCode: 'PARSE_ERROR', errorDetails: expect.stringMatching(/unknown operator "no_such_op"/) },
      });
      expect(await evaluate('pricing')).toMatchObject({
        status: 400,
        body: { key: 'pricing', errorCode: 'PARSE_ERROR', errorDetails: expect.stringMatching(/not valid JSON/) },
      });
    });

    it('evaluates the good flag, alone and in bulk next to the broken ones', async () => {
      expect(await evaluate('checkout')).toMatchObject({ status: 200, body: { key: 'checkout', value: true, reason: 'STATIC' } });
      const bulk = await evaluate();
      expect(bulk.status).toBe(200);
      const byKey = Object.fromEntries((bulk.body.flags as Array<{ key: string }>).map((f) => [f.key, f]));
      expect(byKey).toEqual({
        checkout: expect.objectContaining({ value: true }),
        banner: expect.objectContaining({ errorCode: 'PARSE_ERROR' }),
        pricing: expect.objectContaining({ errorCode: 'PARSE_ERROR' }),
      });
    });

    it('a kill switch on the good flag takes effect after a refresh, broken flags notwithstanding', async () => {
      // The CLI's edit path (`monoenv flags disable`): validates the edited flag, not the broken ones.
      await updateFlag(documents, table, 'checkout', (flag) => ({ ...flag, state: 'DISABLED' }), 'oncall@example.com', {
        action: 'disable',
      });
      afterRefreshInterval();
      expect(await evaluate('checkout')).toMatchObject({ status: 200, body: { key: 'checkout', reason: 'DISABLED' } });
      expect((await evaluate('checkout')).body).not.toHaveProperty('value');
    });

    it('serves a broken flag again once it is fixed in the table', async () => {
      await putByHand('banner', JSON.stringify({ state: 'ENABLED', variants: { a: 'A' }, defaultVariant: 'a' }), 2);
      afterRefreshInterval();
      expect(await evaluate('banner')).toMatchObject({ status: 200, body: { value: 'A', reason: 'STATIC' } });
      // Broken flags are answered per flag; nothing about them is an operator-level error.
      expect(errors).toEqual([]);
    });
  },
  { iam: {} },
);
