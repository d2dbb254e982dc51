/** Lambda functions: logs go to a log group the stack manages (so MONO-LOG-1 applies), and a timeout is chosen. */
import type { GuardrailRule } from '../rule';
import { firstBlock, isSet } from '../values';

export const lambdaLogGroup: GuardrailRule = {
  id: 'MONO-LAMBDA-1',
  description: 'Lambda functions log to a log group defined in the stack.',
  fix: 'Add a CloudwatchLogGroup named `/aws/lambda/${fn.functionName}` with a retention, or set loggingConfig: { logGroup, logFormat }.',
  appliesTo: ['aws_lambda_function'],
  check: (fn, stack) => {
    if (isSet(firstBlock(fn.config.logging_config)?.log_group)) return [];
    const expected = new Set([`/aws/lambda/${String(fn.config.function_name)}`, `/aws/lambda/\${${fn.address}.function_name}`]);
    const found = stack.resources('aws_cloudwatch_log_group').some((group) => expected.has(String(group.config.name)));
    return found
      ? []
      : [`no aws_cloudwatch_log_group named /aws/lambda/${String(fn.config.function_name)} and no logging_config.log_group`];
  },
};

export const lambdaTimeout: GuardrailRule = {
  id: 'MONO-LAMBDA-2',
  description: 'Lambda functions set a timeout.',
  fix: 'Set timeout (seconds) to what the function needs; the 3 s default is rarely right.',
  appliesTo: ['aws_lambda_function'],
  check: ({ config }) => (isSet(config.timeout) ? [] : ['timeout is not set']),
};

/** AWS's limit on a function's environment: the names and values together, in bytes. */
export const LAMBDA_ENVIRONMENT_MAX_BYTES = 4096;

export const lambdaEnvironmentSize: GuardrailRule = {
  id: 'MONO-LAMBDA-7',
  description: 'A Lambda environment fits in 4 KB (AWS refuses a larger one; a local AWS does not).',
  fix: 'Move large settings (JSON documents, lists) to a table, SSM parameter or the bundle, and pass their name instead.',
  appliesTo: ['aws_lambda_function'],
  check: ({ config }) => {
    // A `${...}` reference counts as its own text: a resolved ARN or name is about as long.
    const variables = (firstBlock(config.environment)?.variables ?? {}) as Record<string, unknown>;
    const bytes = Object.entries(variables).reduce(
      (total, [name, value]) => total + Buffer.byteLength(name) + Buffer.byteLength(String(value)),
      0,
    );
    return bytes > LAMBDA_ENVIRONMENT_MAX_BYTES ? [`environment is ${bytes} bytes; AWS allows ${LAMBDA_ENVIRONMENT_MAX_BYTES}`] : [];
  },
};
