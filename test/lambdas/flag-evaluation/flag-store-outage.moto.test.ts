import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { writeFlagDocument } from '../../../domain/flags/flag-table';
import { createFlagHandler } from '../../../lambdas/flag-evaluation/handler';
import type { FunctionUrlEvent, FunctionUrlResult } from '../../../lambdas/shared/function-url';
import { manualClock } from '../../support/clock';
import { createPkSkTable, describeWithMoto, motoClientConfig, useFunctionEnvironment } from '../../support/moto';
import { fixtureDocument } from '../../support/flag-fixtures';

/**
 * Fault: the flag table goes away under the deployed flag Lambda and comes back. The function keeps answering with
 * the last good flag set, says it is stale (FlagStoreStale in its EMF line, a logged refresh failure), and serves the
 * table's flags again once it is back. Driven through the Lambda entry point, its own credentials and the stack's
 * table name, so its calls are IAM-evaluated after the suite.
 */
describeWithMoto(
  'flag Lambda when DynamoDB is unavailable (moto)',
  (moto) => {
    const table = 'monoenv-flags';
    const clock = manualClock(Date.parse('2026-03-01T12:00:00Z'));
    const metricLines: string[] = [];
    const logged: string[] = [];
    let restoreEnv: () => void = () => undefined;
    let admin: DynamoDBClient;
    let handler: (event: FunctionUrlEvent) => Promise<FunctionUrlResult>;

    const evaluate = async (key: string) => {
      const result = await handler({
        rawPath: `/ofrep/v1/evaluate/flags/${key}`,
        headers: { 'content-type': 'application/json', authorization: 'Bearer server-secret' },
        body: '{"context": {"targetingKey": "user-1"}}',
        requestContext: { http: { method: 'POST', sourceIp: '127.0.0.1' } },
      });
      const metrics = JSON.parse(metricLines[metricLines.length - 1]);
      return {
        status: result.statusCode,
        body: JSON.parse(result.body),
        stale: metrics.FlagStoreStale,
        ageSeconds: metrics.FlagSetAgeSeconds,
      };
    };
    /** Past the flag cache's maximum age (4 s): the next request waits for a read of the table. */
    const pastMaxAge = () => clock.advance(5000);
    const deploy = (doc = fixtureDocument()) => writeFlagDocument(DynamoDBDocumentClient.from(admin), table, doc);

    beforeAll(async () => {
      admin = new DynamoDBClient(motoClientConfig(moto().endpoint));
      await createPkSkTable(admin, table);
      await deploy();
      // The SDK's own settings come from the process environment, as in Lambda.
      restoreEnv = useFunctionEnvironment(moto().endpoint, 'monoenv-flags-evaluate');
      handler = createFlagHandler(
        { FLAGS_TABLE: table, API_KEYS_JSON: JSON.stringify({ server: ['server-secret'] }) },
        { now: clock.now, writeLine: (line) => metricLines.push(line), logError: (message) => logged.push(message) },
      );
    });
    afterAll(() => {
      restoreEnv();
    });

    it('serves the table, fresh', async () => {
      expect(await evaluate('number-flag')).toMatchObject({ status: 200, body: { value: 100, variant: 'big' }, stale: 0 });
      expect(logged).toEqual([]);
    });

    it('keeps serving the last good set while the table is gone, reporting FlagStoreStale and logging the failure once per attempt', async () => {
      await admin.send(new DeleteTableCommand({ TableName: table }));
      pastMaxAge();
      expect(await evaluate('number-flag')).toMatchObject({ status: 200, body: { value: 100, variant: 'big' }, stale: 1, ageSeconds: 5 });
      expect(logged).toEqual(['flag set refresh failed; serving the last good set']);

      // While it fails, the table is tried at most every 2 s: requests in between answer at once, still stale.
      clock.advance(1000);
      expect(await evaluate('bool-flag')).toMatchObject({ status: 200, body: { value: true }, stale: 1, ageSeconds: 6 });
      expect(logged).toHaveLength(1);
    });

    it('recovers when the table is back: the new contents, no longer stale', async () => {
      const edited = fixtureDocument();
      edited.flags['number-flag'].defaultVariant = 'small';
      await createPkSkTable(admin, table);
      await deploy(edited);
      pastMaxAge();
      expect(await evaluate('number-flag')).toMatchObject({ status: 200, body: { value: 1, variant: 'small' }, stale: 0, ageSeconds: 0 });
      expect(logged).toHaveLength(1);
    });
  },
  { iam: {} },
);
