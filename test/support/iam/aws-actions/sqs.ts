import { unmapped } from '../recorded-call';
import { arn, authorize, text, type MappingContext, type ServiceMapping } from './common';

/**
 * SQS authorizes `sqs:<Operation>` on the queue ARN, built from the QueueUrl's account and name. The
 * batch operations are authorized as their single-message action (SendMessageBatch is sqs:SendMessage).
 */

const QUEUE_URL_OPERATIONS: Readonly<Record<string, string>> = {
  SendMessage: 'SendMessage',
  SendMessageBatch: 'SendMessage',
  ReceiveMessage: 'ReceiveMessage',
  DeleteMessage: 'DeleteMessage',
  DeleteMessageBatch: 'DeleteMessage',
  ChangeMessageVisibility: 'ChangeMessageVisibility',
  ChangeMessageVisibilityBatch: 'ChangeMessageVisibility',
  GetQueueAttributes: 'GetQueueAttributes',
  SetQueueAttributes: 'SetQueueAttributes',
  PurgeQueue: 'PurgeQueue',
  DeleteQueue: 'DeleteQueue',
  ListQueueTags: 'ListQueueTags',
  TagQueue: 'TagQueue',
  UntagQueue: 'UntagQueue',
};

/** `https://sqs.<region>.amazonaws.com/<account>/<name>` (or moto's `http://host/<account>/<name>`) -> ARN. */
export function queueArnFromUrl(queueUrl: string, context: MappingContext): string | undefined {
  const parts = new URL(queueUrl, 'http://local').pathname.split('/').filter(Boolean);
  if (parts.length < 2) return undefined;
  const [account, name] = parts.slice(-2);
  return arn('sqs', context, name, account);
}

export const sqs: ServiceMapping = {
  displayName: 'SQS',
  map({ operation, input }, context) {
    const single = QUEUE_URL_OPERATIONS[operation];
    if (single) {
      const queue = queueArnFromUrl(text(input.QueueUrl) ?? '', context);
      return queue ? [authorize(`sqs:${single}`, queue)] : unmapped(`${operation} without a QueueUrl`);
    }
    if (operation === 'GetQueueUrl' || operation === 'CreateQueue') {
      const name = text(input.QueueName);
      if (!name) return unmapped(`${operation} without a QueueName`);
      return [authorize(`sqs:${operation}`, arn('sqs', context, name, text(input.QueueOwnerAWSAccountId)))];
    }
    if (operation === 'ListQueues') return [authorize('sqs:ListQueues', '*')];
    return unmapped(`SQS ${operation || '(no operation)'} is not mapped`);
  },
};
