/**
 * monoenv as a library: the constructs and stacks of the one production environment, for a team's own
 * cdktf app, plus the OpenFeature provider product services use to read flags.
 */
export * from './config/schema';
export { ConfigError, loadConfig, parseConfig, type LoadConfigOptions, type LoadedConfig } from './config/load';

export * from './constructs/ownership';
export * from './constructs/monitoring';
export * from './constructs/lambda-function';
export * from './constructs/grants';
export * from './constructs/network';
export * from './constructs/container-service';
export * from './constructs/image-scanning';
export * from './constructs/public-api';
export * from './constructs/flag-store';
export { EventStream } from './constructs/event-stream';
export type { EventStreamProps } from './constructs/event-stream-props';
export * from './constructs/guardrails';
export * from './constructs/permissions-boundary';
export { writeGeneratedKeys, EphemeralRandomPassword, type GeneratedKeysProps } from './constructs/generated-keys';

export * from './stacks/production-stack';
export * from './stacks/bootstrap-stack';
export { localAwsProviderConfig } from './stacks/local-aws';
export { buildApp, type BuildAppOptions } from './stacks/app';

export * from './client';
