import { unmapped, type Authorization } from '../recorded-call';
import { arn, authorize, list, record, text, type MappingContext, type ServiceMapping } from './common';

/**
 * DynamoDB authorizes each operation as `dynamodb:<Operation>` on the table, except: transactions are
 * authorized per item as the single-item action (TransactWriteItems' Put is `dynamodb:PutItem`, ...),
 * and Query/Scan on an index are authorized on the index ARN.
 */

// Operations that act on the one table named by TableName (a name or, since 2024, a table ARN).
const TABLE_OPERATIONS = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'DescribeTable',
  'CreateTable',
  'DeleteTable',
  'UpdateTable',
  'DescribeTimeToLive',
  'UpdateTimeToLive',
  'DescribeContinuousBackups',
  'UpdateContinuousBackups',
]);

// TransactWriteItems item kind -> the action AWS authorizes for it.
const TRANSACT_WRITE_ACTIONS: Readonly<Record<string, string>> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
};

const tableArn = (table: string, context: MappingContext): string =>
  table.startsWith('arn:') ? table : arn('dynamodb', context, `table/${table}`);

export const dynamodb: ServiceMapping = {
  displayName: 'DynamoDB',
  map({ operation, input }, context) {
    const action = `dynamodb:${operation}`;
    const table = text(input.TableName);
    if (TABLE_OPERATIONS.has(operation)) {
      return table ? [authorize(action, tableArn(table, context))] : unmapped(`${operation} without a TableName`);
    }
    switch (operation) {
      case 'Query':
      case 'Scan': {
        if (!table) return unmapped(`${operation} without a TableName`);
        const index = text(input.IndexName);
        return [authorize(action, tableArn(table, context) + (index ? `/index/${index}` : ''))];
      }
      case 'BatchGetItem':
      case 'BatchWriteItem':
        return Object.keys(record(input.RequestItems)).map((name) => authorize(action, tableArn(name, context)));
      case 'TransactWriteItems':
      case 'TransactGetItems': {
        const authorizations: Authorization[] = [];
        for (const item of list(input.TransactItems)) {
          const [kind, body] = Object.entries(record(item))[0] ?? [];
          const itemAction =
            operation === 'TransactGetItems' ? (kind === 'Get' ? 'dynamodb:GetItem' : undefined) : TRANSACT_WRITE_ACTIONS[kind ?? ''];
          const itemTable = text(record(body).TableName);
          if (!itemAction || !itemTable) return unmapped(`${operation} item ${kind ?? '(empty)'} not understood`);
          authorizations.push(authorize(itemAction, tableArn(itemTable, context)));
        }
        return authorizations;
      }
      case 'ListTables':
        return [authorize(action, '*')];
      default:
        return unmapped(`DynamoDB ${operation || '(no operation)'} is not mapped`);
    }
  },
};
