import { credentialScope, parseAwsRequest, type RawRequest } from './aws-request';

const signed = (accessKey: string, region: string, service: string) =>
  `AWS4-HMAC-SHA256 Credential=${accessKey}/20200101/${region}/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc`;

const request = (over: Omit<Partial<RawRequest>, 'body'> & { body?: string | Buffer }): RawRequest => ({
  method: 'POST',
  url: '/',
  headers: {},
  ...over,
  body: Buffer.isBuffer(over.body) ? over.body : Buffer.from(over.body ?? ''),
});

describe('parseAwsRequest', () => {
  it('takes principal, region and signing name from the SigV4 credential scope', () => {
    expect(credentialScope({ authorization: signed('flag-evaluation', 'eu-west-1', 'kinesis') }, '/')).toEqual({
      principal: 'flag-evaluation',
      region: 'eu-west-1',
      signingName: 'kinesis',
    });
  });

  it('reads the credential of a presigned URL, and calls an unsigned request anonymous', () => {
    const query = `/?X-Amz-Credential=${encodeURIComponent('ingest/20200101/us-east-1/sqs/aws4_request')}`;
    expect(credentialScope({}, query)).toEqual({ principal: 'ingest', region: 'us-east-1', signingName: 'sqs' });
    expect(credentialScope({}, '/')).toEqual({ principal: 'anonymous', region: '', signingName: '' });
  });

  it('JSON protocols: the operation is the X-Amz-Target suffix and the input the JSON body', () => {
    const parsed = parseAwsRequest(
      request({
        headers: {
          authorization: signed('journey-processor', 'us-east-1', 'dynamodb'),
          'x-amz-target': 'DynamoDB_20120810.TransactWriteItems',
          'content-type': 'application/x-amz-json-1.0',
        },
        body: JSON.stringify({ TransactItems: [] }),
      }),
    );
    expect(parsed).toEqual({
      principal: 'journey-processor',
      signingName: 'dynamodb',
      region: 'us-east-1',
      operation: 'TransactWriteItems',
      input: { TransactItems: [] },
    });
    expect(parseAwsRequest(request({ headers: { 'x-amz-target': 'secretsmanager.GetSecretValue' } })).operation).toBe('GetSecretValue');
    expect(parseAwsRequest(request({ headers: { 'x-amz-target': 'AmazonSQS.SendMessage' } })).operation).toBe('SendMessage');
  });

  it('query protocol: Action and parameters from a form body or the query string', () => {
    const form = parseAwsRequest(
      request({
        headers: {
          authorization: signed('cli', 'us-east-1', 'monitoring'),
          'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        },
        body: 'Action=PutMetricData&Version=2010-08-01&Namespace=monoenv%2Fflags',
      }),
    );
    expect(form).toMatchObject({ signingName: 'monitoring', operation: 'PutMetricData', input: { Namespace: 'monoenv/flags' } });
    expect(parseAwsRequest(request({ method: 'GET', url: '/?Action=GetCallerIdentity&Version=2011-06-15' })).operation).toBe(
      'GetCallerIdentity',
    );
  });

  it('REST-JSON (Inspector2): the operation from method and path; RPC v2 CBOR: from the path', () => {
    const rest = parseAwsRequest(
      request({
        url: '/coverage/list',
        headers: { authorization: signed('image-rescan', 'us-east-1', 'inspector2') },
        body: '{"maxResults":10}',
      }),
    );
    expect(rest).toMatchObject({ operation: 'ListCoverage', input: { maxResults: 10 } });
    const cbor = parseAwsRequest(
      request({
        url: '/service/GraniteServiceVersion20100801/operation/PutMetricData',
        headers: { 'content-type': 'application/cbor' },
        body: Buffer.from([0xa0]),
      }),
    );
    expect(cbor).toMatchObject({ operation: 'PutMetricData', input: {} });
  });

  it('leaves the operation empty when it cannot tell (the mapper then records the call as unknown)', () => {
    expect(
      parseAwsRequest(request({ url: '/some/rest/route', headers: { authorization: signed('x', 'us-east-1', 'lambda') } })).operation,
    ).toBe('');
  });
});
