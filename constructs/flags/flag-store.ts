import { DataResource, TerraformResourceLifecycle } from 'cdktf';
import { Construct } from 'constructs';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { DynamodbTableItem } from '@cdktf/provider-aws/lib/dynamodb-table-item';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import {
  CURRENT_SK,
  DEPLOY_ACTOR,
  EVALUATORS_SK,
  FLAG_TABLE_HASH_KEY,
  FLAG_TABLE_RANGE_KEY,
  METADATA_SK,
  SET_PK,
  definitionHash,
  flagPk,
} from '../../domain/flags/table-layout';
import { compileFlagSet } from '../../domain/flags/evaluator/compile';
import { FLAG_METRICS, FLAG_ROUTES, flagEvaluationEnvironment } from '../../lambdas/flag-evaluation/contract';
import { writeGeneratedKeys } from '../core/generated-keys';
import { Grant, type Grantee } from '../core/grants';
import { lambdaEntry, MonoenvFunction, type PolicyStatement } from '../core/monoenv-function';
import { metricWidget, type MathSpec, type MetricSpec, type IMonitoring } from '../monitoring/monitoring';
import { ownershipTags, type OwnershipTags } from '../core/ownership';
import { PublicApi, type IPublicApi } from '../front-door/public-api';
import { parseProps } from '../core/props';
import { flagStoreSettingsSchema, type FlagStoreSettings } from './flag-store-props';

/** A flagd flag document: `{ flags: {...}, $evaluators?: {...}, metadata?: {...} }`; validated at construction. */
export interface FlagDocumentInput {
  readonly flags: Record<string, unknown>;
  readonly $evaluators?: Record<string, unknown>;
  readonly metadata?: Record<string, unknown>;
}

export interface FlagStoreProps {
  /** Prefix of every name (table, function, secret): 1-28 lower-case letters, digits and '-', starting with a letter. */
  readonly namePrefix: string;
  readonly monitoring: IMonitoring;
  /** Flags as code, deployed to the table. @default - no flags are written by deploys */
  readonly flags?: FlagDocumentInput;
  /** Browser origins allowed to call the API (CORS). @default - none */
  readonly corsAllowOrigins?: readonly string[];
  /** The stream experiment exposures go to, e.g. an EventStream. @default - exposures are not recorded */
  readonly exposureStream?: ExposureStream;
  /** Customer managed key for the API key secret. @default - the AWS managed key (aws/secretsmanager) */
  readonly apiKeysKmsKeyArn?: string;
  /** Requests per second per API key, per Lambda instance, before 429. @default 100 */
  readonly rateLimitPerSecond?: number;
  /**
   * The front door the OFREP routes are added to (`ANY /ofrep/v1/evaluate/flags` and `.../{key}`).
   * @default - an HTTP API of its own, `<namePrefix>-flags-api`
   */
  readonly api?: IPublicApi;
  /**
   * Concurrent executions reserved for (and capping) the evaluation function, so a flood of requests cannot take
   * the account's whole concurrency from other functions. Leave the account 100 unreserved. @default 50
   */
  readonly reservedConcurrentExecutions?: number;
  /** @default true */
  readonly deletionProtection?: boolean;
  /** @default 30 */
  readonly logRetentionDays?: number;
  /** p99 latency of the evaluation Lambda that raises an alarm, in ms. @default 250 */
  readonly latencyAlarmMs?: number;
  readonly ownership?: OwnershipTags;
  /** @default - the monitoring alerts topic */
  readonly alarmTopicArn?: string;
}

/** A Kinesis stream the flag function may write exposures to: an EventStream, or a team's own stream. */
export interface ExposureStream {
  readonly streamName: string;
  /** Lets `grantee` put records (and use the stream's key, when it has a customer managed one). */
  grantPutRecords(grantee: Grantee): Grant;
}

/**
 * Feature flags: the DynamoDB flag table, flags as code written on deploy, the OFREP evaluation Lambda
 * behind the HTTP API front door (`PublicApi`), and its API keys in Secrets Manager.
 *
 * Deploys and runtime edits: each flag item is written by Terraform with `ignore_changes = [item]`, so a
 * kill switch or ramp-up made with `monoenv flags` survives later deploys; it is replaced (and so
 * overwritten from the file) only when that flag's definition in the file changes, through a
 * `terraform_data` keyed by the definition's hash.
 */
export class FlagStore extends Construct {
  readonly table: DynamodbTable;
  readonly tableName: string;
  readonly tableArn: string;
  readonly evaluationFunction: MonoenvFunction;
  /** The HTTP API the OFREP routes are on. */
  readonly api: IPublicApi;
  /** Secret holding `{"server": [...], "client": [...]}`; the values never appear in outputs. */
  readonly apiKeysSecret: SecretsmanagerSecret;
  private readonly tags: Record<string, string>;
  private readonly apiKeysKmsKeyArn?: string;

  constructor(scope: Construct, id: string, props: FlagStoreProps) {
    super(scope, id);
    const settings = resolveSettings(props);
    // Checked here too, not only by the stack: the flag API would answer errors for flags it cannot compile.
    if (props.flags) {
      try {
        compileFlagSet(props.flags);
      } catch (error) {
        throw new Error(`FlagStore ${id}: flags: ${(error as Error).message}`, { cause: error });
      }
    }
    this.tags = ownershipTags(props.ownership);

    this.table = new DynamodbTable(this, 'table', {
      name: `${props.namePrefix}-flags`,
      billingMode: 'PAY_PER_REQUEST',
      hashKey: FLAG_TABLE_HASH_KEY,
      rangeKey: FLAG_TABLE_RANGE_KEY,
      attribute: [
        { name: FLAG_TABLE_HASH_KEY, type: 'S' },
        { name: FLAG_TABLE_RANGE_KEY, type: 'S' },
      ],
      serverSideEncryption: { enabled: true },
      pointInTimeRecovery: { enabled: true },
      deletionProtectionEnabled: settings.deletionProtection,
      tags: ownershipTags(props.ownership, `${props.namePrefix}-flags`),
    });
    this.tableName = this.table.name;
    this.tableArn = this.table.arn;

    if (props.flags) this.writeFlags(props.flags);

    this.apiKeysSecret = new SecretsmanagerSecret(this, 'api-keys', {
      name: `${props.namePrefix}/flags/api-keys`,
      description: 'OFREP API keys: {"server": [...], "client": [...]}',
      recoveryWindowInDays: 7,
      kmsKeyId: settings.apiKeysKmsKeyArn,
      tags: this.tags,
    });
    this.apiKeysKmsKeyArn = settings.apiKeysKmsKeyArn;
    // Generated by AWS, never in state (the secret's first version, replacing `api-keys-initial`, which kept them there).
    writeGeneratedKeys(this, 'api-keys-generated', { secretId: this.apiKeysSecret.id, kinds: ['server', 'client'] });

    this.evaluationFunction = new MonoenvFunction(this, 'evaluate', {
      entry: lambdaEntry('flag-evaluation'),
      functionName: `${props.namePrefix}-flags-evaluate`,
      description: 'OpenFeature remote evaluation (OFREP) of feature flags',
      memoryMiB: 512,
      timeoutSeconds: 5,
      reservedConcurrentExecutions: settings.reservedConcurrentExecutions,
      logRetentionDays: settings.logRetentionDays,
      environment: flagEvaluationEnvironment({
        flagsTable: this.table.name,
        apiKeysSecretArn: this.apiKeysSecret.arn,
        corsAllowOrigins: settings.corsAllowOrigins,
        rateLimitPerSecond: settings.rateLimitPerSecond,
        metricsNamespace: FLAG_METRICS.namespace,
        eventStreamName: props.exposureStream?.streamName,
      }),
      policyStatements: [
        { actions: ['dynamodb:Scan', 'dynamodb:GetItem', 'dynamodb:Query'], resources: [this.table.arn] },
        ...this.readApiKeysStatements(),
      ],
      monitoring: props.monitoring,
      alarmTopicArn: props.alarmTopicArn,
      ownership: props.ownership,
    });
    props.exposureStream?.grantPutRecords(this.evaluationFunction);
    // Public routes; the handler itself checks the API key (OFREP clients send it as a bearer token or X-API-Key).
    this.api =
      props.api ??
      new PublicApi(this, 'api', {
        apiName: `${props.namePrefix}-flags-api`,
        logRetentionDays: settings.logRetentionDays,
        monitoring: props.monitoring,
        alarmTopicArn: props.alarmTopicArn,
        ownership: props.ownership,
      });
    this.api.addLambdaRoutes('flags', this.evaluationFunction, FLAG_ROUTES);

    this.addMonitoring(props.monitoring, props.alarmTopicArn, props.ownership, settings.latencyAlarmMs);
  }

  /** The OFREP base URL (clients append `/ofrep/v1/...`). */
  get url(): string {
    return this.api.url;
  }

  /** Read the flag table (e.g. a service evaluating flags in-process from the table). */
  grantRead(grantee: Grantee): Grant {
    return Grant.addToPrincipal(grantee, [
      { actions: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan'], resources: [this.table.arn] },
    ]);
  }

  /** Edit flags (what `monoenv flags enable|disable|...` needs): read, conditional writes and audit records. */
  grantWrite(grantee: Grantee): Grant {
    return Grant.addToPrincipal(grantee, [
      {
        actions: [
          'dynamodb:GetItem',
          'dynamodb:Query',
          'dynamodb:Scan',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:ConditionCheckItem',
        ],
        resources: [this.table.arn],
      },
    ]);
  }

  /** Read the API keys, e.g. for a service that calls the flag API (and decrypt them, with a customer managed key). */
  grantReadApiKeys(grantee: Grantee): Grant {
    return Grant.addToPrincipal(grantee, this.readApiKeysStatements());
  }

  private readApiKeysStatements(): PolicyStatement[] {
    return [
      { actions: ['secretsmanager:GetSecretValue'], resources: [this.apiKeysSecret.arn] },
      ...(this.apiKeysKmsKeyArn ? [{ actions: ['kms:Decrypt'], resources: [this.apiKeysKmsKeyArn] }] : []),
    ];
  }

  metricEvaluations(): MathSpec {
    return this.sumOverRoutes(FLAG_METRICS.evaluations, 'flag evaluations');
  }

  metricEvaluationErrors(): MathSpec {
    return this.sumOverRoutes(FLAG_METRICS.evaluationErrors, 'evaluation errors');
  }

  /** Requests served from a stale flag set because the table was unreachable. */
  metricStale(): MathSpec {
    return this.sumOverRoutes(FLAG_METRICS.flagStoreStale, 'stale flag set');
  }

  metricLatency(statistic = 'p99'): MetricSpec {
    return this.evaluationFunction.metricDuration(statistic);
  }

  private sumOverRoutes(metricName: string, label: string): MathSpec {
    const metric = (route: string): MetricSpec => ({
      namespace: FLAG_METRICS.namespace,
      metricName,
      dimensions: { [FLAG_METRICS.routeDimension]: route },
      statistic: 'Sum',
      periodSeconds: 60,
    });
    return { expression: 'FILL(single, 0) + FILL(bulk, 0)', label, metrics: { single: metric('single'), bulk: metric('bulk') } };
  }

  private writeFlags(document: FlagDocumentInput): void {
    const write = (id: string, pk: string, sk: string, definition: string, extra: Record<string, { S?: string; N?: string }> = {}) => {
      const fileHash = definitionHash(definition);
      // Replaced (so rewritten from the file) only when the file's definition changes; see the class comment.
      const fileVersion = new DataResource(this, `${id}-file`, { triggersReplace: { hash: fileHash } });
      // A bare reference: Terraform's JSON syntax rejects "${...}" in replace_triggered_by.
      const lifecycle: TerraformResourceLifecycle = {
        ignoreChanges: ['item'],
        replaceTriggeredBy: [`${fileVersion.terraformResourceType}.${fileVersion.friendlyUniqueId}`],
      };
      new DynamodbTableItem(this, id, {
        tableName: this.table.name,
        hashKey: FLAG_TABLE_HASH_KEY,
        rangeKey: FLAG_TABLE_RANGE_KEY,
        item: JSON.stringify({
          [FLAG_TABLE_HASH_KEY]: { S: pk },
          [FLAG_TABLE_RANGE_KEY]: { S: sk },
          definition: { S: definition },
          fileHash: { S: fileHash },
          ...extra,
        }),
        lifecycle,
      });
    };
    for (const [key, flag] of Object.entries(document.flags)) {
      write(`flag-${key}`, flagPk(key), CURRENT_SK, JSON.stringify(flag), {
        key: { S: key },
        version: { N: '1' },
        updatedBy: { S: DEPLOY_ACTOR },
      });
    }
    if (document.$evaluators && Object.keys(document.$evaluators).length > 0)
      write('evaluators', SET_PK, EVALUATORS_SK, JSON.stringify(document.$evaluators));
    if (document.metadata && Object.keys(document.metadata).length > 0)
      write('set-metadata', SET_PK, METADATA_SK, JSON.stringify(document.metadata));
  }

  private addMonitoring(
    monitoring: IMonitoring,
    topicArn: string | undefined,
    ownership: OwnershipTags | undefined,
    latencyMs: number,
  ): void {
    const name = this.evaluationFunction.functionName;
    monitoring.addAlarm(
      `${name}-stale`,
      {
        alarmName: `${name}-stale-flags`,
        description: 'The flag Lambda serves its last good flag set: the flag table is unreachable, so kill switches do not take effect',
        metric: this.metricStale(),
        threshold: 1,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        evaluationPeriods: 3,
        topicArn,
        ownership,
      },
      this,
    );
    monitoring.addAlarm(
      `${name}-latency`,
      {
        alarmName: `${name}-latency-p99`,
        description: `Flag evaluation p99 latency above ${latencyMs} ms`,
        metric: this.metricLatency('p99'),
        threshold: latencyMs,
        comparisonOperator: 'GreaterThanThreshold',
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        topicArn,
        ownership,
      },
      this,
    );
    monitoring.addWidgets(
      metricWidget('Flags: evaluations and errors', [this.metricEvaluations(), this.metricEvaluationErrors(), this.metricStale()]),
    );
  }
}

/** Checks the scalar props (the flags document comes validated, see FlagDocumentInput; the rest are constructs). */
function resolveSettings(props: FlagStoreProps): FlagStoreSettings {
  const {
    monitoring: _monitoring,
    flags: _flags,
    exposureStream: _stream,
    api: _api,
    alarmTopicArn: _topic,
    ownership: _ownership,
    ...scalars
  } = props;
  return parseProps('FlagStore', flagStoreSettingsSchema, scalars);
}
