import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { startRecordingProxy, type RecordingProxy } from './aws-call-recorder';

// A stand-in for moto: answers by X-Amz-Target and remembers what it received.
interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

function fakeAws(): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
      const target = String(req.headers['x-amz-target'] ?? '');
      if (target.endsWith('.GetShardIterator')) {
        res.end(JSON.stringify({ ShardIterator: 'it-1' }));
      } else if (target.endsWith('.GetRecords')) {
        res.end(JSON.stringify({ Records: [], NextShardIterator: 'it-2' }));
      } else if (target.endsWith('.GetSecretValue')) {
        res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'application/x-amz-json-1.1' });
        res.end(gzipSync(JSON.stringify({ ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:keys-AbCdEf', SecretString: '{}' })));
      } else {
        // Anything else: a streamed answer in three chunks, with headers the proxy must pass on.
        res.writeHead(201, { 'x-amzn-requestid': 'req-1', 'content-type': 'text/plain' });
        res.write('one,');
        setTimeout(() => {
          res.write('two,');
          setTimeout(() => res.end('three'), 10);
        }, 10);
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received })),
  );
}

function send(
  url: string,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${options.path ?? '/'}`,
      { method: options.method ?? 'POST', headers: options.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      },
    );
    req.on('error', reject);
    req.end(options.body ?? '');
  });
}

const signed = (principal: string, service: string, target?: string) => ({
  authorization: `AWS4-HMAC-SHA256 Credential=${principal}/20200101/eu-west-1/${service}/aws4_request, SignedHeaders=host, Signature=0`,
  'content-type': 'application/x-amz-json-1.1',
  ...(target ? { 'x-amz-target': target } : {}),
});

describe('recording proxy', () => {
  let upstream: Awaited<ReturnType<typeof fakeAws>>;
  let proxy: RecordingProxy;

  beforeEach(async () => {
    upstream = await fakeAws();
    proxy = await startRecordingProxy({ target: upstream.url });
  });
  afterEach(async () => {
    await proxy.close();
    await new Promise((resolve) => upstream.server.close(resolve));
  });

  it('listens on loopback and forwards the request verbatim, streaming the answer back unchanged', async () => {
    expect(proxy.url).toBe(`http://127.0.0.1:${proxy.port}`);
    const answer = await send(proxy.url, {
      method: 'PUT',
      path: '/a/b?x=1&y=%2F',
      headers: { 'x-custom': 'kept', ...signed('cli', 'lambda') },
      body: 'payload',
    });
    expect(upstream.received).toEqual([expect.objectContaining({ method: 'PUT', url: '/a/b?x=1&y=%2F', body: 'payload' })]);
    expect(upstream.received[0].headers).toMatchObject({ 'x-custom': 'kept', authorization: expect.stringContaining('Credential=cli/') });
    expect(answer.status).toBe(201);
    expect(answer.headers['x-amzn-requestid']).toBe('req-1');
    expect(answer.body.toString()).toBe('one,two,three');
  });

  it('records who called what, and the IAM actions and ARNs it needs', async () => {
    await send(proxy.url, {
      headers: signed('flag-evaluation', 'kinesis', 'Kinesis_20131202.PutRecords'),
      body: JSON.stringify({ StreamName: 'events', Records: [] }),
    });
    await send(proxy.url, {
      headers: signed('journey-processor', 'dynamodb', 'DynamoDB_20120810.Query'),
      body: JSON.stringify({ TableName: 'analytics', IndexName: 'by-user' }),
    });
    expect(proxy.calls()).toEqual([
      expect.objectContaining({
        principal: 'flag-evaluation',
        service: 'kinesis',
        operation: 'PutRecords',
        region: 'eu-west-1',
        status: 201,
        actions: ['kinesis:PutRecords'],
        resources: ['arn:aws:kinesis:eu-west-1:123456789012:stream/events'],
      }),
      expect.objectContaining({
        principal: 'journey-processor',
        service: 'dynamodb',
        operation: 'Query',
        actions: ['dynamodb:Query'],
        resources: ['arn:aws:dynamodb:eu-west-1:123456789012:table/analytics/index/by-user'],
      }),
    ]);
  });

  it('attributes GetRecords to the stream of the iterator it saw returned', async () => {
    await send(proxy.url, {
      headers: signed('cli', 'kinesis', 'Kinesis_20131202.GetShardIterator'),
      body: JSON.stringify({ StreamName: 'events', ShardId: 's-0', ShardIteratorType: 'LATEST' }),
    });
    await send(proxy.url, {
      headers: signed('cli', 'kinesis', 'Kinesis_20131202.GetRecords'),
      body: JSON.stringify({ ShardIterator: 'it-1' }),
    });
    await send(proxy.url, {
      headers: signed('cli', 'kinesis', 'Kinesis_20131202.GetRecords'),
      body: JSON.stringify({ ShardIterator: 'it-2' }),
    });
    expect(proxy.calls().map((c) => [c.operation, c.resources])).toEqual([
      ['GetShardIterator', ['arn:aws:kinesis:eu-west-1:123456789012:stream/events']],
      ['GetRecords', ['arn:aws:kinesis:eu-west-1:123456789012:stream/events']],
      ['GetRecords', ['arn:aws:kinesis:eu-west-1:123456789012:stream/events']],
    ]);
  });

  it('reads a compressed answer for the secret ARN, and still passes the compressed bytes on', async () => {
    const answer = await send(proxy.url, {
      headers: signed('flag-evaluation', 'secretsmanager', 'secretsmanager.GetSecretValue'),
      body: JSON.stringify({ SecretId: 'keys' }),
    });
    expect(answer.headers['content-encoding']).toBe('gzip');
    expect(answer.body.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(proxy.calls()[0].resources).toEqual(['arn:aws:secretsmanager:eu-west-1:123456789012:secret:keys-AbCdEf']);
  });

  it('records an operation it cannot map as unknown, with no actions', async () => {
    await send(proxy.url, { headers: signed('image-rescan', 'ecs', 'AmazonEC2ContainerServiceV20141113.RunTask'), body: '{}' });
    expect(proxy.calls()).toEqual([
      expect.objectContaining({
        principal: 'image-rescan',
        operation: 'RunTask',
        actions: [],
        unknown: true,
        unknownReason: 'ECS RunTask is not mapped',
      }),
    ]);
  });
});

describe('recording proxy without its upstream', () => {
  it('answers 502 and still records the call when the target does not answer', async () => {
    const closed = await fakeAws();
    await new Promise((resolve) => closed.server.close(resolve));
    const proxy = await startRecordingProxy({ target: closed.url });
    try {
      const answer = await send(proxy.url, {
        headers: { ...signed('cli', 'sts'), 'content-type': 'application/x-www-form-urlencoded' },
        body: 'Action=GetCallerIdentity',
      });
      expect(answer.status).toBe(502);
      expect(proxy.calls()).toEqual([
        expect.objectContaining({ status: 502, service: 'sts', operation: 'GetCallerIdentity', actions: ['sts:GetCallerIdentity'] }),
      ]);
    } finally {
      await proxy.close();
    }
    await expect(send(proxy.url, {})).rejects.toThrow(/ECONNREFUSED/);
  });

  it('refuses a target that is not loopback HTTP', async () => {
    await expect(startRecordingProxy({ target: 'http://10.0.0.1:5000' })).rejects.toThrow(/loopback/);
    await expect(startRecordingProxy({ target: 'https://127.0.0.1:5000' })).rejects.toThrow(/loopback/);
  });
});
