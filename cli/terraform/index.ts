/** Terraform offline setup: provider mirror discovery, the child-process env, and running/validating terraform. */
export * from './provider-mirror';
export * from './terraform-env';
export * from './terraform';
