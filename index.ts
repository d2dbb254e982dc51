/**
 * monoenv as a library: the constructs and stacks of the one production environment, for a team's own
 * cdktf app, plus the OpenFeature provider product services use to read flags.
 */
export * from './config/schema';
export { ConfigError, loadConfig, parseConfig, type LoadConfigOptions, type LoadedConfig } from './config/load';

export * from './constructs/core/ownership';
export * from './constructs/monitoring/monitoring';
export * from './constructs/core/monoenv-function';
export * from './constructs/core/grants';
export * from './constructs/services/network';
export * from './constructs/services/container-service';
export * from './constructs/images/image-scanning';
export * from './constructs/front-door/public-api';
export * from './constructs/flags/flag-store';
export * from './constructs/flags/rollout-controller';
export { loadRolloutDir, RolloutDirError, type RolloutContext, type RolloutDir } from './domain/rollouts/rollout-files';
export type { RolloutPlan, ScheduledChange, FlagChange } from './domain/rollouts/rollout-plan';
export { EventStream } from './constructs/events/event-stream';
export type { EventStreamProps } from './constructs/events/event-stream-props';
export * from './constructs/security/guardrails';
export * from './constructs/security/permissions-boundary';
export { writeGeneratedKeys, EphemeralRandomPassword, type GeneratedKeysProps } from './constructs/core/generated-keys';

export * from './stacks/production-stack';
export * from './stacks/bootstrap-stack';
export { localAwsProviderConfig } from './stacks/local-aws';
export { buildApp, type BuildAppOptions } from './stacks/app';

export * from './client';
