import { unmapped } from '../recorded-call';
import { arn, authorize, list, text, type ServiceMapping } from './common';

/** STS, CloudWatch and SSM: calls with `*` resources or simple ARNs. */

export const sts: ServiceMapping = {
  displayName: 'STS',
  map({ operation, input }) {
    // GetCallerIdentity needs no permission in AWS; it is still an authorization iam-simulate allows.
    if (operation === 'GetCallerIdentity') return [authorize('sts:GetCallerIdentity', '*')];
    const role = text(input.RoleArn);
    if (operation === 'AssumeRole' && role) return [authorize('sts:AssumeRole', role)];
    return unmapped(`STS ${operation || '(no operation)'} is not mapped`);
  },
};

const CLOUDWATCH_OPERATIONS = new Set(['PutMetricData', 'GetMetricData', 'GetMetricStatistics', 'ListMetrics', 'DescribeAlarms']);

export const cloudwatch: ServiceMapping = {
  displayName: 'CloudWatch',
  map({ operation, input }) {
    if (!CLOUDWATCH_OPERATIONS.has(operation)) return unmapped(`CloudWatch ${operation || '(no operation)'} is not mapped`);
    // PutMetricData is granted on `*`, narrowed by the cloudwatch:namespace key (absent from a CBOR body we do not decode).
    const namespace = text(input.Namespace);
    return [
      authorize(
        `cloudwatch:${operation}`,
        '*',
        operation === 'PutMetricData' && namespace ? { 'cloudwatch:namespace': namespace } : undefined,
      ),
    ];
  },
};

export const ssm: ServiceMapping = {
  displayName: 'SSM',
  map({ operation, input }, context) {
    // `/a/b` is `parameter/a/b`; a name without a leading slash gets one.
    const parameter = (name: string) => (name.startsWith('arn:') ? name : arn('ssm', context, `parameter/${name.replace(/^\//, '')}`));
    const action = `ssm:${operation}`;
    switch (operation) {
      case 'GetParameter':
      case 'PutParameter':
      case 'DeleteParameter':
      case 'GetParametersByPath': {
        const name = text(input.Name) ?? text(input.Path);
        return name ? [authorize(action, parameter(name))] : unmapped(`${operation} without a Name`);
      }
      case 'GetParameters':
        return list(input.Names)
          .map(text)
          .filter((n): n is string => !!n)
          .map((name) => authorize(action, parameter(name)));
      default:
        return unmapped(`SSM ${operation || '(no operation)'} is not mapped`);
    }
  },
};

/** SNS: Publish on the topic (a message to a phone number or endpoint is not something our functions send). */
export const sns: ServiceMapping = {
  displayName: 'SNS',
  map({ operation, input }) {
    const topic = text(input.TopicArn);
    if (operation === 'Publish' && topic) return [authorize('sns:Publish', topic)];
    return unmapped(`SNS ${operation || '(no operation)'} is not mapped`);
  },
};
