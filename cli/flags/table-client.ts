import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableTarget } from './target';

/**
 * A DynamoDB document client for the target. A custom endpoint (a local production on moto) without
 * AWS credentials in the environment gets placeholder ones: the local server accepts any.
 */
export function tableClient(target: TableTarget, env: NodeJS.ProcessEnv = process.env): DynamoDBDocumentClient {
  const localCredentials = target.endpoint && !env.AWS_ACCESS_KEY_ID && !env.AWS_PROFILE;
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: target.endpoint,
      region: target.region ?? (target.endpoint ? 'us-east-1' : undefined),
      credentials: localCredentials ? { accessKeyId: 'local', secretAccessKey: 'local' } : undefined,
    }),
  );
}
