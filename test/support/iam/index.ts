/**
 * Offline IAM checks: record the AWS calls code makes against moto, then evaluate them against policies.
 *
 *   const proxy = await startRecordingProxy({ target: moto.endpoint });
 *   // SDK clients: { endpoint: proxy.url, credentials: { accessKeyId: 'flag-evaluation', secretAccessKey: 'x' } }
 *   const results = await simulateCalls({ calls: proxy.calls(), identityPolicies: { 'flag-evaluation': [rolePolicy] } });
 *   expect(formatDenials(results)).toBe('');
 */
export { startRecordingProxy, MOTO_ACCOUNT_ID, type RecordingProxy, type RecordingProxyOptions } from './aws-call-recorder';
export { impliedKmsActions, type KeyOf, type KmsAuthorization } from './implied-kms';
export {
  deniedCalls,
  formatDenials,
  simulateCalls,
  simulateRequest,
  type Decision,
  type PolicyDocument,
  type RequestDecision,
  type SimulateCallsInput,
  type SimulateRequestInput,
  type SimulatedAuthorization,
} from './iam-simulation';
export type { Authorization, RecordedCall } from './recorded-call';
