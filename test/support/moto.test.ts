import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { describeWithMoto, motoClientConfig } from './moto';

describeWithMoto('moto server helper', (moto) => {
  it('serves AWS APIs on loopback and is stopped by pid', async () => {
    const { endpoint, pid } = moto();
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(() => process.kill(pid, 0)).not.toThrow();
    const ddb = new DynamoDBClient(motoClientConfig(endpoint));
    const out = await ddb.send(new ListTablesCommand({}));
    expect(out.TableNames).toEqual([]);
  });
});
