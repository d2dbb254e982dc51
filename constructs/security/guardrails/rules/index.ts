import type { GuardrailRule } from '../rule';
import { immutableImageTags, imageScanning, readOnlyRootFilesystem, separateTaskRoles } from './containers';
import { dynamodbEncryption, firehoseEncryption, kinesisEncryption, logGroupRetention, snsEncryption } from './encryption-at-rest';
import { wildcardActions, wildcardResources } from './iam';
import { adminNeedsBoundary, boundaryOnRoleCreation, boundaryStaysPut } from './iam-boundary';
import { lambdaEnvironmentSize, lambdaLogGroup, lambdaTimeout } from './lambda';
import { lambdaRuntimeCalendar } from './lambda-runtime';
import { dropInvalidHeaders, listenerTls } from './load-balancer';
import {
  httpApiStageThrottle,
  invokePermissions,
  lambdaIntegrationPermission,
  publicFunctionConcurrency,
  publicFunctionUrl,
} from './public-entry';
import { s3Encryption, s3PublicAccessBlock } from './s3';
import { noSecretsInState } from './secrets-in-state';

export * from './containers';
export * from './encryption-at-rest';
export * from './iam';
export * from './iam-boundary';
export * from './lambda';
export * from './lambda-runtime';
export * from './load-balancer';
export * from './public-entry';
export * from './s3';
export * from './secrets-in-state';

export interface MonoenvRulesOptions {
  /** Today, for the rules that depend on the date (the runtime calendar). @default () => new Date() */
  readonly now?: () => Date;
}

/** The monoenv rule pack, in the order findings are reported. */
export const monoenvRules = (options: MonoenvRulesOptions = {}): readonly GuardrailRule[] => [
  dynamodbEncryption,
  kinesisEncryption,
  firehoseEncryption,
  s3Encryption,
  s3PublicAccessBlock,
  snsEncryption,
  logGroupRetention,
  wildcardActions,
  wildcardResources(),
  boundaryOnRoleCreation,
  adminNeedsBoundary,
  boundaryStaysPut,
  listenerTls,
  dropInvalidHeaders,
  readOnlyRootFilesystem,
  separateTaskRoles,
  immutableImageTags,
  imageScanning,
  lambdaLogGroup,
  lambdaTimeout,
  lambdaEnvironmentSize,
  lambdaRuntimeCalendar({ now: options.now }),
  publicFunctionUrl,
  invokePermissions(),
  publicFunctionConcurrency,
  lambdaIntegrationPermission,
  httpApiStageThrottle,
  noSecretsInState,
];

/** The rule pack on the system clock. */
export const MONOENV_RULES: readonly GuardrailRule[] = monoenvRules();
