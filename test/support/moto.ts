import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { motoAvailability, startMoto, type MotoServer } from '../../cli/local/moto-server';

export { motoClientConfig } from '../../cli/local/moto-server';

/**
 * Starts moto for a describe block. Returns a getter; when moto is missing the suite's tests are
 * skipped with a printed reason (CI installs moto, so there it always runs).
 */
export function useMoto(): { server: () => MotoServer; skipReason?: string } {
  const availability = motoAvailability();
  if (!availability.available) {
    // eslint-disable-next-line no-console
    console.warn(`SKIP: ${availability.reason}`);
    return { server: () => { throw new Error(availability.reason); }, skipReason: availability.reason };
  }
  let server: MotoServer | undefined;
  beforeAll(async () => {
    server = await startMoto();
  }, 60000);
  afterAll(async () => {
    await server?.stop();
  });
  return { server: () => { if (!server) throw new Error('moto not started'); return server; } };
}

/** `describe` that skips (with the reason printed) when moto is unavailable. */
export const describeWithMoto = (name: string, fn: (moto: () => MotoServer) => void): void => {
  const availability = motoAvailability();
  if (!availability.available && process.env.CI) {
    // This project's CI has moto: a missing one there is a broken machine, not a reason to skip.
    throw new Error(`${name}: moto is required in CI: ${availability.reason}`);
  }
  if (!availability.available) {
    describe.skip(`${name} (skipped: ${availability.reason})`, () => { it('skipped', () => undefined); });
    // eslint-disable-next-line no-console
    console.warn(`SKIP ${name}: ${availability.reason}`);
    return;
  }
  describe(name, () => {
    let server: MotoServer | undefined;
    beforeAll(async () => { server = await startMoto(); }, 60000);
    afterAll(async () => { await server?.stop(); });
    fn(() => { if (!server) throw new Error('moto not started'); return server; });
  });
};

/** The `pk`/`sk` on-demand table layout every monoenv table uses (flags, analytics). */
export async function createPkSkTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
    }),
  );
}
