import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { compileFlagSet, compileTrustedFlagSet, nameRecord } from './evaluator';
import type { CompiledFlagSet, FlagDefinition, FlagDocument, StoredFlagDocument } from './evaluator';
import {
  AUDIT_SK_PREFIX,
  CURRENT_SK,
  DEPLOY_ACTOR,
  EVALUATORS_SK,
  METADATA_SK,
  SET_PK,
  auditSk,
  definitionHash,
  flagPk,
} from './table-layout';

/**
 * The flag table through the SDK: what the flag Lambda loads, and the CLI's reads and optimistic-concurrency edits.
 * The layout (keys, item kinds) is in table-layout.ts, shared with the Terraform writer (FlagStore).
 */
export interface FlagItem {
  readonly key: string;
  readonly definition: FlagDefinition;
  readonly version: number;
  readonly fileHash?: string;
  readonly updatedAt?: string;
  readonly updatedBy?: string;
}

export interface AuditEntry {
  readonly key: string;
  readonly action: string;
  readonly actor: string;
  readonly at: string;
  readonly version: number;
  readonly before?: FlagDefinition;
  readonly after: FlagDefinition;
}

export class FlagNotFoundError extends Error {
  constructor(
    readonly key: string,
    table: string,
  ) {
    super(`flag '${key}' is not in table ${table}`);
    this.name = 'FlagNotFoundError';
  }
}

export class ConcurrentModificationError extends Error {
  constructor(
    readonly key: string,
    readonly expectedVersion: number,
  ) {
    super(
      `flag '${key}' was changed by someone else since version ${expectedVersion} was read; nothing was written, run the command again`,
    );
    this.name = 'ConcurrentModificationError';
  }
}

function parseDefinition(raw: unknown, where: string): unknown {
  if (typeof raw !== 'string') throw new Error(`${where}: attribute "definition" must be a JSON string`);
  try {
    return JSON.parse(raw);
  } catch (error) {
    throw new Error(`${where}: attribute "definition" is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

const itemKey = (item: Record<string, unknown>): string =>
  typeof item.key === 'string' ? item.key : String(item.pk).slice('flag#'.length);

function toFlagItem(item: Record<string, unknown>, table: string): FlagItem {
  const where = `table ${table}, item ${String(item.pk)}/${String(item.sk)}`;
  const key = itemKey(item);
  if (typeof item.version !== 'number') throw new Error(`${where}: attribute "version" must be a number`);
  return {
    key,
    definition: parseDefinition(item.definition, where) as FlagDefinition,
    version: item.version,
    fileHash: typeof item.fileHash === 'string' ? item.fileHash : undefined,
    updatedAt: typeof item.updatedAt === 'string' ? item.updatedAt : undefined,
    updatedBy: typeof item.updatedBy === 'string' ? item.updatedBy : undefined,
  };
}

export interface FlagTableContents {
  readonly document: FlagDocument;
  readonly items: readonly FlagItem[];
}

/** Every current flag item and the shared parts, unparsed (audit items are filtered out), following pagination. */
async function scanCurrentItems(client: DynamoDBDocumentClient, table: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: table,
        ConsistentRead: true,
        FilterExpression: 'sk = :current OR pk = :set',
        ExpressionAttributeValues: { ':current': CURRENT_SK, ':set': SET_PK },
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** Reads every current flag and the shared parts; throws on the first item that cannot be read. */
export async function readFlagTable(client: DynamoDBDocumentClient, table: string): Promise<FlagTableContents> {
  const items: FlagItem[] = [];
  const document: { flags: Record<string, FlagDefinition>; $evaluators?: Record<string, unknown>; metadata?: FlagDocument['metadata'] } = {
    flags: nameRecord(),
  };
  for (const raw of await scanCurrentItems(client, table)) {
    if (raw.pk === SET_PK) {
      const where = `table ${table}, item set/${String(raw.sk)}`;
      if (raw.sk === EVALUATORS_SK) document.$evaluators = parseDefinition(raw.definition, where) as Record<string, unknown>;
      if (raw.sk === METADATA_SK) document.metadata = parseDefinition(raw.definition, where) as FlagDocument['metadata'];
      continue;
    }
    const item = toFlagItem(raw, table);
    items.push(item);
    document.flags[item.key] = item.definition;
  }
  items.sort((a, b) => a.key.localeCompare(b.key));
  return { document, items };
}

/**
 * The flag set the evaluator serves. The writers validated every flag, so it is not validated again
 * (which keeps the validators out of the Lambda bundle): a flag broken by hand in the table answers
 * PARSE_ERROR on its own while the others, kill switches included, keep loading. Throws only when
 * the table cannot be read.
 */
export async function loadFlagSet(client: DynamoDBDocumentClient, table: string): Promise<CompiledFlagSet> {
  const document: StoredFlagDocument = { flags: nameRecord() };
  for (const raw of await scanCurrentItems(client, table)) {
    let definition: unknown;
    try {
      definition = parseDefinition(raw.definition, 'the stored item');
    } catch (error) {
      definition = error; // an errored flag, carrying the message
    }
    if (raw.pk !== SET_PK) document.flags[itemKey(raw)] = definition;
    else if (raw.sk === EVALUATORS_SK) document.$evaluators = definition;
    else if (raw.sk === METADATA_SK) document.metadata = definition;
  }
  return compileTrustedFlagSet(document);
}

export async function readFlag(client: DynamoDBDocumentClient, table: string, key: string): Promise<FlagItem> {
  const out = await client.send(new GetCommand({ TableName: table, Key: { pk: flagPk(key), sk: CURRENT_SK }, ConsistentRead: true }));
  if (!out.Item) throw new FlagNotFoundError(key, table);
  return toFlagItem(out.Item, table);
}

/** `$evaluators` and the set metadata, as stored. */
async function readSharedParts(client: DynamoDBDocumentClient, table: string): Promise<Omit<FlagDocument, 'flags'>> {
  const parts: { $evaluators?: Record<string, unknown>; metadata?: FlagDocument['metadata'] } = {};
  for (const sk of [EVALUATORS_SK, METADATA_SK] as const) {
    const out = await client.send(new GetCommand({ TableName: table, Key: { pk: SET_PK, sk }, ConsistentRead: true }));
    if (!out.Item) continue;
    const value = parseDefinition(out.Item.definition, `table ${table}, item set/${sk}`);
    if (sk === EVALUATORS_SK) parts.$evaluators = value as Record<string, unknown>;
    else parts.metadata = value as FlagDocument['metadata'];
  }
  return parts;
}

/** One more item of the edit's transaction (e.g. a rollout's state or a schedule), given the flag's new version. */
export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export interface UpdateOptions {
  /** Recorded in the audit entry, e.g. `disable`. @default 'update' */
  readonly action?: string;
  readonly now?: () => Date;
  /** Edit only if the flag is still at this version (ConcurrentModificationError otherwise). @default - the version read */
  readonly expectedVersion?: number;
  /** Items written in the same transaction, all or nothing with the flag and its audit entry. @default - none */
  readonly transactWith?: (newVersion: number, at: string) => TransactItem[];
}

/**
 * Read, mutate, validate the flag with the shared rules, then write the flag (version + 1, only if the
 * version is still the one read) and its audit entry in one transaction. A concurrent edit makes the
 * condition fail: ConcurrentModificationError, and neither item is written.
 */
export async function updateFlag(
  client: DynamoDBDocumentClient,
  table: string,
  key: string,
  mutate: (flag: FlagDefinition) => FlagDefinition,
  actor: string,
  options: UpdateOptions = {},
): Promise<FlagItem> {
  const current = await readFlag(client, table, key);
  if (options.expectedVersion !== undefined && current.version !== options.expectedVersion) {
    throw new ConcurrentModificationError(key, options.expectedVersion);
  }
  const shared = await readSharedParts(client, table);
  const before = current.definition;
  const after = mutate(structuredClone(before));
  // The edited flag is validated with the shared rules it may $ref, not with every other flag: a flag
  // broken elsewhere in the table must never block a kill switch.
  compileFlagSet({ ...shared, flags: { [key]: after } }); // throws FlagValidationError

  const at = (options.now?.() ?? new Date()).toISOString();
  const version = current.version + 1;
  const definition = JSON.stringify(after);
  try {
    await client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: table,
              Item: {
                pk: flagPk(key),
                sk: CURRENT_SK,
                key,
                definition,
                version,
                fileHash: current.fileHash,
                updatedAt: at,
                updatedBy: actor,
              },
              ConditionExpression: 'version = :read',
              ExpressionAttributeValues: { ':read': current.version },
            },
          },
          {
            Put: {
              TableName: table,
              Item: {
                pk: flagPk(key),
                sk: auditSk(at, version),
                action: options.action ?? 'update',
                actor,
                at,
                version,
                before: JSON.stringify(before),
                after: definition,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          ...(options.transactWith?.(version, at) ?? []),
        ],
      }),
    );
  } catch (error) {
    if ((error as Error).name === 'TransactionCanceledException' || (error as Error).name === 'ConditionalCheckFailedException') {
      throw new ConcurrentModificationError(key, current.version);
    }
    throw error;
  }
  return { key, definition: after, version, fileHash: current.fileHash, updatedAt: at, updatedBy: actor };
}

/** Audit entries of a flag, oldest first. */
export async function readHistory(client: DynamoDBDocumentClient, table: string, key: string): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :audit)',
        ExpressionAttributeValues: { ':pk': flagPk(key), ':audit': AUDIT_SK_PREFIX },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      const where = `table ${table}, item ${String(item.pk)}/${String(item.sk)}`;
      entries.push({
        key,
        action: String(item.action),
        actor: String(item.actor),
        at: String(item.at),
        version: Number(item.version),
        before: item.before === undefined ? undefined : (parseDefinition(item.before, where) as FlagDefinition),
        after: parseDefinition(item.after, where) as FlagDefinition,
      });
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return entries;
}

/**
 * Writes a whole flag document as a deploy would (version 1, updatedBy "deploy" by default): for local
 * productions and tests. In AWS, Terraform writes these items.
 */
export async function writeFlagDocument(
  client: DynamoDBDocumentClient,
  table: string,
  document: FlagDocument,
  actor = DEPLOY_ACTOR,
  now = new Date(),
): Promise<void> {
  compileFlagSet(document);
  const updatedAt = now.toISOString();
  for (const [key, flag] of Object.entries(document.flags)) {
    const definition = JSON.stringify(flag);
    await client.send(
      new PutCommand({
        TableName: table,
        Item: {
          pk: flagPk(key),
          sk: CURRENT_SK,
          key,
          definition,
          version: 1,
          fileHash: definitionHash(definition),
          updatedAt,
          updatedBy: actor,
        },
      }),
    );
  }
  if (document.$evaluators) {
    await client.send(
      new PutCommand({ TableName: table, Item: { pk: SET_PK, sk: EVALUATORS_SK, definition: JSON.stringify(document.$evaluators) } }),
    );
  }
  if (document.metadata) {
    await client.send(
      new PutCommand({ TableName: table, Item: { pk: SET_PK, sk: METADATA_SK, definition: JSON.stringify(document.metadata) } }),
    );
  }
}
