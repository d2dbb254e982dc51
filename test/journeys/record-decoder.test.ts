import { decodeRecord } from '../../lambdas/journey-processor/record-decoder';
import { track } from './fixtures';

const encode = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64');

describe('decodeRecord', () => {
  it('accepts an event record', () => {
    const record = track('cart_viewed', 0);
    expect(decodeRecord(encode(record))).toEqual({ ok: true, record });
  });

  it('names the fields that are wrong, in English', () => {
    const result = decodeRecord(encode({ ...track('x', 0), type: 'page', userKey: 7, timestamp: 'yesterday' }));
    expect(result).toEqual({ ok: false, code: 'INVALID_RECORD', message: expect.any(String) });
    const { message } = result as { message: string };
    expect(message).toMatch(/type: Invalid option: expected one of "track"\|"exposure"/);
    expect(message).toMatch(/userKey: Invalid input: expected string, received number/);
    expect(message).toMatch(/timestamp: must be an ISO 8601 date/);
  });

  it('rejects keys too long for DynamoDB and data that is not JSON', () => {
    expect(decodeRecord(encode({ ...track('x', 0), userKey: 'u'.repeat(1025) }))).toMatchObject({ ok: false, code: 'INVALID_RECORD', message: expect.stringMatching(/^userKey: Too big/) });
    expect(decodeRecord(encode('{"messageId":'))).toMatchObject({ ok: false, code: 'INVALID_JSON' });
  });
});
