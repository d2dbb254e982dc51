import { decodeRecord } from '../../../lambdas/journey-processor/record-decoder';
import { track } from '../../support/journey-fixtures';

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
    expect(decodeRecord(encode({ ...track('x', 0), userKey: 'u'.repeat(1025) }))).toMatchObject({
      ok: false,
      code: 'INVALID_RECORD',
      message: expect.stringMatching(/^userKey: must be at most 1024 bytes/),
    });
    expect(decodeRecord(encode('{"messageId":'))).toMatchObject({ ok: false, code: 'INVALID_JSON' });
  });

  it('measures user keys and messageIds in UTF-8 bytes, as DynamoDB measures keys', () => {
    expect(decodeRecord(encode({ ...track('x', 0), userKey: 'u'.repeat(1024), messageId: 'm'.repeat(512) }))).toMatchObject({ ok: true });
    // 400 characters, 1200 bytes: fewer characters than the limit, more bytes than a key holds.
    expect(decodeRecord(encode({ ...track('x', 0), userKey: '€'.repeat(400) }))).toEqual({
      ok: false,
      code: 'INVALID_RECORD',
      message: 'userKey: must be at most 1024 bytes (UTF-8)',
    });
    expect(decodeRecord(encode({ ...track('x', 0), messageId: '€'.repeat(171) }))).toEqual({
      ok: false,
      code: 'INVALID_RECORD',
      message: 'messageId: must be at most 512 bytes (UTF-8)',
    });
  });

  it('rejects user keys and messageIds that are not well-formed Unicode (two such keys would be stored as the same key)', () => {
    expect(decodeRecord(encode({ ...track('x', 0), userKey: 'user-\ud800' }))).toEqual({
      ok: false,
      code: 'INVALID_RECORD',
      message: 'userKey: must be well-formed Unicode (no lone surrogates)',
    });
    expect(decodeRecord(encode({ ...track('x', 0), messageId: '\udc00' }))).toMatchObject({
      ok: false,
      message: 'messageId: must be well-formed Unicode (no lone surrogates)',
    });
  });
});
