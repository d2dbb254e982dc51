import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { runExperimentCommand } from '../../../cli/experiment/command';
import { readLiveSummary } from '../../../cli/experiment/live-source';
import { experimentPk, metricSk, variantSk } from '../../../lambdas/journey-processor/table-keys';
import { createPkSkTable, describeWithMoto, motoClientConfig } from '../../support/moto';

describeWithMoto('monoenv experiment report against DynamoDB (moto)', (moto) => {
  const table = 'analytics';
  let documents: DynamoDBDocumentClient;

  async function put(item: Record<string, unknown>): Promise<void> {
    await documents.send(new PutCommand({ TableName: table, Item: item }));
  }

  async function report(argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runExperimentCommand(argv, {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
      env: {},
      cwd: '/nonexistent',
      readLive: readLiveSummary,
    });
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  }

  beforeAll(async () => {
    const client = new DynamoDBClient(motoClientConfig(moto().endpoint));
    await createPkSkTable(client, table);
    documents = DynamoDBDocumentClient.from(client);
    for (const [variant, users, converters] of [
      ['control', 5000, 600],
      ['treatment', 5030, 700],
    ] as const) {
      await put({ pk: experimentPk('new-checkout'), sk: variantSk(variant), flag: 'new-checkout', variant, users });
      await put({
        pk: experimentPk('new-checkout'),
        sk: metricSk(variant, 'checkout'),
        flag: 'new-checkout',
        variant,
        metric: 'checkout',
        kind: 'conversion',
        n: users,
        sum: converters,
        sumSquares: converters,
      });
    }
    await put({ pk: experimentPk('lonely'), sk: variantSk('control'), flag: 'lonely', variant: 'control', users: 10 });
  });

  it('reads the live summary through the journey processor reader and reports it', async () => {
    const { code, stdout, stderr } = await report([
      'report',
      'new-checkout',
      '--table',
      table,
      '--endpoint',
      moto().endpoint,
      '--region',
      'us-east-1',
      '--json',
    ]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const parsed = JSON.parse(stdout);
    expect(parsed.control).toBe('control');
    expect(parsed.metrics[0]).toMatchObject({ metric: 'checkout', kind: 'proportion' });
    expect(parsed.metrics[0].variants[1].verdict.code).toBe('increase');
  });

  it('exits 2 when the experiment has fewer than 2 variants', async () => {
    const { code, stderr } = await report(['report', 'lonely', '--table', table, '--endpoint', moto().endpoint]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/has exposures for 1 variant\(s\).*\[NOT_ENOUGH_VARIANTS\]/);
  });

  it('exits 1 naming the table when it does not exist', async () => {
    const { code, stderr } = await report(['report', 'new-checkout', '--table', 'missing', '--endpoint', moto().endpoint]);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^monoenv experiment: cannot read 'new-checkout' from table missing at http:\/\/127\.0\.0\.1:\d+: ResourceNotFoundException: .*\[read-failed\]$/,
    );
  });
});
