import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startMotoWrites } from '../../../cli/local/moto-writes';

/** An upstream that answers after a pause and counts how many requests of each kind it holds at once. */
async function slowUpstream() {
  const inFlight: Record<string, number> = {};
  const most: Record<string, number> = {};
  const server = createServer((req, res) => {
    const target = String(req.headers['x-amz-target']);
    inFlight[target] = (inFlight[target] ?? 0) + 1;
    most[target] = Math.max(most[target] ?? 0, inFlight[target]);
    req.resume();
    setTimeout(() => {
      inFlight[target] -= 1;
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ echoed: target }));
    }, 20);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    most,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

describe('writes the local AWS cannot take concurrently', () => {
  it('lets Kinesis puts and DynamoDB transactions through one at a time, everything else as it comes, answers unchanged', async () => {
    const upstream = await slowUpstream();
    const writes = await startMotoWrites(upstream.url);
    try {
      const call = (target: string) =>
        fetch(writes.url, { method: 'POST', headers: { 'x-amz-target': target }, body: '{}' }).then((r) => r.json());
      const targets = [
        'Kinesis_20131202.PutRecords',
        'Kinesis_20131202.PutRecord',
        'DynamoDB_20120810.TransactWriteItems',
        'DynamoDB_20120810.GetItem',
      ];
      const answers = await Promise.all(targets.flatMap((target) => Array.from({ length: 6 }, () => call(target))));
      expect(answers.filter((a) => a.echoed === 'DynamoDB_20120810.GetItem')).toHaveLength(6);
      // Never two Kinesis puts (of either kind) at once, nor two transactions.
      expect(upstream.most['Kinesis_20131202.PutRecords']).toBe(1);
      expect(upstream.most['Kinesis_20131202.PutRecord']).toBe(1);
      expect(upstream.most['DynamoDB_20120810.TransactWriteItems']).toBe(1);
      expect(upstream.most['DynamoDB_20120810.GetItem']).toBeGreaterThan(1);
    } finally {
      await writes.close();
      await upstream.close();
    }
  });

  it('answers 502 when the local AWS is gone', async () => {
    const writes = await startMotoWrites('http://127.0.0.1:1');
    try {
      const response = await fetch(writes.url, { method: 'POST', headers: { 'x-amz-target': 'Kinesis_20131202.PutRecords' }, body: '{}' });
      expect(response.status).toBe(502);
    } finally {
      await writes.close();
    }
  });
});
