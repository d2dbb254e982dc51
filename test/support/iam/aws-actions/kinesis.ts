import { unmapped } from '../recorded-call';
import { arn, authorize, text, type MappingContext, type ServiceMapping } from './common';

/**
 * Kinesis authorizes `kinesis:<Operation>` on the stream. GetRecords usually names no stream, only a
 * shard iterator, and ListShards' follow-up pages only a token: the recorder remembers which stream each
 * iterator and token it saw in a response belongs to, and attributes those calls by that.
 */

// Operations whose request names the stream (StreamName or StreamARN).
const STREAM_OPERATIONS = new Set([
  'PutRecord',
  'PutRecords',
  'GetShardIterator',
  'ListShards',
  'DescribeStream',
  'DescribeStreamSummary',
  'CreateStream',
  'DeleteStream',
  'AddTagsToStream',
  'ListTagsForStream',
  'IncreaseStreamRetentionPeriod',
  'DecreaseStreamRetentionPeriod',
  'StartStreamEncryption',
  'StopStreamEncryption',
  'UpdateShardCount',
  'MergeShards',
  'SplitShard',
  'RegisterStreamConsumer',
  'DescribeStreamConsumer',
  'ListStreamConsumers',
]);

function remember(context: MappingContext, token: unknown, stream: string): void {
  const value = text(token);
  if (value) context.kinesisTokens.set(value, stream);
}

export const kinesis: ServiceMapping = {
  displayName: 'Kinesis',
  map({ operation, input, output }, context) {
    const action = `kinesis:${operation}`;
    if (operation === 'GetRecords') {
      const stream = text(input.StreamARN) ?? context.kinesisTokens.get(text(input.ShardIterator) ?? '');
      if (!stream) return unmapped('GetRecords with a shard iterator this recorder did not see issued');
      remember(context, output?.NextShardIterator, stream);
      return [authorize(action, stream)];
    }
    if (operation === 'ListStreams' || operation === 'DescribeLimits') return [authorize(action, '*')];
    if (!STREAM_OPERATIONS.has(operation)) return unmapped(`Kinesis ${operation || '(no operation)'} is not mapped`);

    const name = text(input.StreamName);
    const stream =
      text(input.StreamARN) ??
      (name ? arn('kinesis', context, `stream/${name}`) : undefined) ??
      (operation === 'ListShards' ? context.kinesisTokens.get(text(input.NextToken) ?? '') : undefined);
    if (!stream) return unmapped(`${operation} names no stream this recorder can tell`);
    if (operation === 'GetShardIterator') remember(context, output?.ShardIterator, stream);
    if (operation === 'ListShards') remember(context, output?.NextToken, stream);
    return [authorize(action, stream)];
  },
};
