import { unmapped, type Mapping } from '../recorded-call';
import type { MappingContext, ServiceCall, ServiceMapping } from './common';
import { ecr, ecs, inspector2 } from './containers';
import { dynamodb } from './dynamodb';
import { kinesis } from './kinesis';
import { cloudwatch, sns, ssm, sts } from './other';
import { secretsManager } from './secrets-manager';
import { sqs } from './sqs';

/**
 * Which IAM actions on which resources AWS authorizes for an API call. Hand-written: no library we
 * can use maps API requests to IAM authorizations (the service authorization reference lists actions,
 * not how requests name resources), and the rules here are AWS's, per service, in one file each.
 */

export type { MappingContext, ServiceCall } from './common';

// Keyed by IAM service prefix.
const SERVICES: Readonly<Record<string, ServiceMapping>> = {
  dynamodb,
  kinesis,
  secretsmanager: secretsManager,
  sqs,
  ecr,
  ecs,
  inspector2,
  sts,
  cloudwatch,
  ssm,
  sns,
};

// SigV4 signing names that differ from the IAM prefix.
const SIGNING_NAME_TO_PREFIX: Readonly<Record<string, string>> = { monitoring: 'cloudwatch' };

export const iamServicePrefix = (signingName: string): string => SIGNING_NAME_TO_PREFIX[signingName] ?? signingName;

/** `Kinesis`, `DynamoDB`, ...; the prefix itself for a service we do not map. */
export const serviceDisplayName = (servicePrefix: string): string => SERVICES[servicePrefix]?.displayName ?? servicePrefix;

export function mapCall(servicePrefix: string, call: ServiceCall, context: MappingContext): Mapping {
  const service = SERVICES[servicePrefix];
  if (!service) return unmapped(`service ${servicePrefix || '(unsigned request)'} is not mapped`);
  return service.map(call, context);
}
