import {
  getDenialReasons,
  runSimulation,
  type RequestDenial,
  type RunSimulationResults,
  type Simulation,
} from '@cloud-copilot/iam-simulate';
import { serviceDisplayName } from './aws-actions';
import { impliedKmsActions, type KeyOf } from './implied-kms';
import type { Authorization, RecordedCall } from './recorded-call';

/**
 * Evaluates recorded AWS calls (or one request) against IAM policies with iam-simulate, a real IAM
 * policy evaluator: identity policies, permission boundaries, resource policies and conditions,
 * same- and cross-account. Here we only turn calls into its requests and its answers into words.
 */

export interface PolicyDocument {
  readonly Version?: string;
  readonly Id?: string;
  readonly Statement: unknown;
}

export type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

export interface RequestDecision {
  readonly decision: Decision;
  /** Why it is not allowed, in words; empty when allowed. */
  readonly reasons: readonly string[];
}

export interface SimulatedAuthorization extends RequestDecision {
  readonly principal: string;
  readonly service: string;
  readonly operation: string;
  readonly action: string;
  readonly resource: string;
  /** Set on a KMS action the call needs because its resource has a customer managed key. */
  readonly implied?: true;
}

export interface SimulateCallsInput {
  readonly calls: readonly RecordedCall[];
  /** Per recorded principal (the access key id), the policies attached to its role. */
  readonly identityPolicies: Readonly<Record<string, readonly PolicyDocument[]>>;
  readonly permissionBoundaries?: Readonly<Record<string, PolicyDocument>>;
  /** Per resource ARN: a key policy, queue policy, secret policy, ... KMS needs the key policy to honour role policies. */
  readonly resourcePolicies?: Readonly<Record<string, PolicyDocument>>;
  /** Which customer managed key encrypts a resource: adds the KMS actions AWS authorizes for it. */
  readonly keyOf?: KeyOf;
  /** The IAM principal per recorded principal. @default `arn:aws:iam::<accountId>:role/<principal>` */
  readonly principalArns?: Readonly<Record<string, string>>;
  /** @default '123456789012' */
  readonly accountId?: string;
  /** Leave out calls the mapper could not map instead of throwing. Use only with a reason. @default false */
  readonly allowUnknown?: boolean;
}

export interface SimulateRequestInput {
  /** An IAM ARN, an account (`arn:aws:iam::999999999999:root`) or a service principal (`apigateway.amazonaws.com`). */
  readonly principalArn: string;
  readonly action: string;
  readonly resource: string;
  readonly identityPolicies?: readonly PolicyDocument[];
  readonly boundary?: PolicyDocument;
  readonly resourcePolicy?: PolicyDocument;
  /** Condition keys of the request, e.g. `aws:SourceArn`, `iam:PermissionsBoundary`. */
  readonly context?: Readonly<Record<string, string | string[]>>;
  /** @default the resource ARN's account, or the principal's for `*` */
  readonly resourceAccount?: string;
}

const POLICY_NAMES: Readonly<Record<RequestDenial['policyType'], string>> = {
  identity: 'the role policy',
  pb: 'the permission boundary',
  resource: 'the resource policy',
  scp: 'a service control policy',
  rcp: 'a resource control policy',
  vpce: 'the VPC endpoint policy',
  's3-bpa': 'S3 Block Public Access',
};

function describeDenial(denial: RequestDenial): string {
  const where = POLICY_NAMES[denial.policyType];
  if (denial.denialType === 'Implicit') return `no Allow in ${where}`;
  const statement = denial.statementId ? `statement ${denial.statementId}` : `statement #${denial.statementIndex}`;
  return `an explicit Deny in ${where} (${statement})`;
}

function decisionOf(response: RunSimulationResults, request: SimulateRequestInput): RequestDecision {
  if (response.resultType === 'error') {
    // An action or ARN iam-simulate rejects is a mapping bug, not a denial: fail loudly.
    throw new Error(
      `iam-simulate cannot evaluate ${request.action} on ${request.resource}: ${response.errors.message} ${JSON.stringify(response.errors)}`,
    );
  }
  const decision = response.overallResult;
  if (decision === 'Allowed') return { decision, reasons: [] };
  const analyses = response.resultType === 'single' ? [response.result.analysis] : response.results.map((r) => r.analysis);
  const reasons = [...new Set(analyses.flatMap((analysis) => getDenialReasons(analysis).map(describeDenial)))];
  if (reasons.length === 0) reasons.push(`no Allow statement names a resource matching ${request.resource}`);
  if (request.action.startsWith('kms:') && !request.resourcePolicy) {
    reasons.push('no key policy was given (KMS honours role policies only when the key policy lets the account grant access)');
  }
  return { decision, reasons };
}

const accountOf = (arn: string): string | undefined => (arn.startsWith('arn:') ? arn.split(':')[4] || undefined : undefined);

/** Evaluates one request, e.g. an API Gateway invoke against a Lambda's resource policy. */
export async function simulateRequest(request: SimulateRequestInput): Promise<RequestDecision> {
  const principalAccount = accountOf(request.principalArn);
  const simulation: Simulation = {
    request: {
      principal: request.principalArn,
      action: request.action,
      resource: { resource: request.resource, accountId: request.resourceAccount ?? accountOf(request.resource) ?? principalAccount ?? '' },
      contextVariables: { ...request.context },
    },
    identityPolicies: (request.identityPolicies ?? []).map((policy, i) => ({ name: `identity-${i + 1}`, policy })),
    permissionBoundaryPolicies: request.boundary ? [{ name: 'boundary', policy: request.boundary }] : undefined,
    resourcePolicy: request.resourcePolicy,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  };
  return decisionOf(await runSimulation(simulation, {}), request);
}

// A DynamoDB index is governed by its table's resource policy.
const policyTarget = (resource: string): string => resource.replace(/^(arn:[^:]+:dynamodb:[^:]*:[^:]*:table\/[^/]+)\/index\/.+$/, '$1');

/** Evaluates every authorization of every recorded call against its principal's policies. */
export async function simulateCalls(input: SimulateCallsInput): Promise<SimulatedAuthorization[]> {
  const accountId = input.accountId ?? '123456789012';
  const unknown = input.calls.filter((call) => call.unknown);
  if (unknown.length > 0 && !input.allowUnknown) {
    const names = unknown.map((c) => `${c.principal}: ${serviceDisplayName(c.service)}.${c.operation || '?'} (${c.unknownReason})`);
    throw new Error(
      `simulateCalls: ${unknown.length} recorded call(s) have no IAM mapping; map them in test/support/iam/aws-actions:\n${[...new Set(names)].join('\n')}`,
    );
  }
  const cache = new Map<string, Promise<RequestDecision>>();
  const evaluate = (principal: string, region: string, authorization: Authorization): Promise<RequestDecision> => {
    const principalArn = input.principalArns?.[principal] ?? `arn:aws:iam::${accountId}:role/${principal}`;
    const context = {
      'aws:PrincipalArn': principalArn,
      'aws:PrincipalAccount': accountOf(principalArn) ?? accountId,
      'aws:RequestedRegion': region,
      'aws:SecureTransport': 'true',
      ...authorization.context,
    };
    const key = JSON.stringify([principalArn, authorization.action, authorization.resource, context]);
    const cached =
      cache.get(key) ??
      simulateRequest({
        principalArn,
        action: authorization.action,
        resource: authorization.resource,
        identityPolicies: input.identityPolicies[principal] ?? [],
        boundary: input.permissionBoundaries?.[principal],
        resourcePolicy: input.resourcePolicies?.[policyTarget(authorization.resource)],
        context,
        resourceAccount: accountOf(authorization.resource) ?? accountId,
      });
    cache.set(key, cached);
    return cached;
  };

  const results: SimulatedAuthorization[] = [];
  for (const call of input.calls.filter((c) => !c.unknown)) {
    const implied = input.keyOf ? impliedKmsActions(call, input.keyOf) : [];
    const pairs = [
      ...call.authorizations.map((a) => ({ authorization: a, implied: false })),
      ...implied.map((a) => ({ authorization: a, implied: true })),
    ];
    for (const { authorization, implied: isImplied } of pairs) {
      const outcome = await evaluate(call.principal, call.region, authorization);
      const reasons =
        input.identityPolicies[call.principal] || outcome.decision === 'Allowed'
          ? outcome.reasons
          : [...outcome.reasons, `no identity policies were given for ${call.principal}`];
      results.push({
        principal: call.principal,
        service: call.service,
        operation: call.operation,
        action: authorization.action,
        resource: authorization.resource,
        ...outcome,
        reasons,
        ...(isImplied ? { implied: true as const } : {}),
      });
    }
  }
  return results;
}

export const deniedCalls = (results: readonly SimulatedAuthorization[]): SimulatedAuthorization[] =>
  results.filter((r) => r.decision !== 'Allowed');

/**
 * One line per distinct denial, for a jest expectation: `expect(formatDenials(results)).toBe('')`.
 * "flag-evaluation: kinesis:PutRecords on arn:...:stream/x (Kinesis.PutRecords) would be denied: no Allow in the role policy"
 */
export function formatDenials(results: readonly SimulatedAuthorization[]): string {
  const lines = deniedCalls(results).map((r) => {
    const api = `${r.implied ? 'implied by ' : ''}${serviceDisplayName(r.service)}.${r.operation}`;
    const how = r.decision === 'ExplicitlyDenied' ? 'explicitly denied' : 'denied';
    return `${r.principal}: ${r.action} on ${r.resource} (${api}) would be ${how}: ${r.reasons.join('; ')}`;
  });
  return [...new Set(lines)].join('\n');
}
