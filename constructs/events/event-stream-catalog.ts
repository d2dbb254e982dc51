import { Construct } from 'constructs';
import { AthenaNamedQuery } from '@cdktf/provider-aws/lib/athena-named-query';
import { AthenaWorkgroup } from '@cdktf/provider-aws/lib/athena-workgroup';
import { GlueCatalogDatabase } from '@cdktf/provider-aws/lib/glue-catalog-database';
import { GlueCatalogTable } from '@cdktf/provider-aws/lib/glue-catalog-table';
import type { Journey } from '../../domain/journeys/journey-schema';
import { terraformLiteral } from './event-stream-escape';
import { savedQueries } from './event-stream-queries';

export interface EventCatalogProps {
  readonly namePrefix: string;
  /** Name of the archive bucket; events under `eventsPrefix`, Athena results under `resultsPrefix`. */
  readonly bucketName: string;
  readonly eventsPrefix: string;
  readonly resultsPrefix: string;
  /** Athena results key; @default - SSE-S3 */
  readonly kmsKeyArn?: string;
  readonly startYear: number;
  readonly bytesScannedCutoffPerQuery: number;
  readonly forceDestroy: boolean;
  readonly journeys: readonly Journey[];
  readonly savedQueries: boolean;
  readonly tags: Record<string, string>;
}

/**
 * Columns of `EventRecord` (domain/events/event-record.ts). Lowercase because Hive/Athena lowercases
 * identifiers and the OpenX SerDe matches JSON keys case-insensitively (`messageId` -> `messageid`).
 * `properties` and `context` stay JSON text (free-form; query with json_extract_scalar). `dots.in.keys`
 * turns `feature_flag.key` into `feature_flag_key`, since Hive names cannot hold dots.
 */
export const EVENT_COLUMNS: readonly { name: string; type: string; comment: string }[] = [
  { name: 'messageid', type: 'string', comment: 'client dedupe key' },
  { name: 'type', type: 'string', comment: 'track | exposure' },
  { name: 'event', type: 'string', comment: 'event name; $exposure for exposures' },
  { name: 'userid', type: 'string', comment: 'known user id, if any' },
  { name: 'anonymousid', type: 'string', comment: 'anonymous id, if any' },
  { name: 'userkey', type: 'string', comment: 'userId ?? anonymousId (the partition key)' },
  { name: 'timestamp', type: 'string', comment: 'ISO 8601, clock-skew corrected' },
  { name: 'receivedat', type: 'string', comment: 'ISO 8601, server clock' },
  { name: 'properties', type: 'string', comment: 'JSON object' },
  {
    name: 'featureflags',
    type: 'array<struct<feature_flag_key:string,feature_flag_result_variant:string,feature_flag_provider_name:string>>',
    comment: 'flags and variants seen',
  },
  { name: 'context', type: 'string', comment: 'JSON object' },
];

export const PARTITION_KEYS = ['year', 'month', 'day'] as const;

/** Glue database + table over the archive (partition projection, so no crawler or MSCK), an Athena workgroup and saved queries. */
export class EventCatalog extends Construct {
  readonly database: GlueCatalogDatabase;
  readonly table: GlueCatalogTable;
  readonly workgroup: AthenaWorkgroup;
  readonly namedQueries: AthenaNamedQuery[];
  readonly databaseName: string;
  readonly tableName = 'events';
  readonly workgroupName: string;

  constructor(scope: Construct, id: string, props: EventCatalogProps) {
    super(scope, id);
    this.databaseName = `${props.namePrefix.replace(/-/g, '_')}_analytics`;
    this.database = new GlueCatalogDatabase(this, 'database', {
      name: this.databaseName,
      description: 'Product events archived from the event stream',
    });

    const eventsLocation = `s3://${props.bucketName}/${props.eventsPrefix}`;
    this.table = new GlueCatalogTable(this, 'table', {
      databaseName: this.database.name,
      name: this.tableName,
      tableType: 'EXTERNAL_TABLE',
      description: 'One row per event record (JSON lines, GZIP), partitioned by arrival day (UTC)',
      parameters: {
        classification: 'json',
        compressionType: 'gzip',
        'projection.enabled': 'true',
        'projection.year.type': 'integer',
        'projection.year.range': `${props.startYear},2100`,
        'projection.month.type': 'integer',
        'projection.month.range': '1,12',
        'projection.month.digits': '2',
        'projection.day.type': 'integer',
        'projection.day.range': '1,31',
        'projection.day.digits': '2',
        // `${year}` is Athena's placeholder, not Terraform's: escaped so Terraform leaves it alone.
        'storage.location.template': `${eventsLocation}${terraformLiteral('year=${year}/month=${month}/day=${day}/')}`,
      },
      partitionKeys: PARTITION_KEYS.map((name) => ({ name, type: 'string' })),
      storageDescriptor: {
        location: eventsLocation,
        inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
        outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
        compressed: true,
        serDeInfo: {
          name: 'json',
          serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
          parameters: { 'dots.in.keys': 'true', 'case.insensitive': 'true', 'ignore.malformed.json': 'true' },
        },
        columns: EVENT_COLUMNS.map((c) => ({ ...c })),
      },
    });

    this.workgroupName = `${props.namePrefix}-analytics`;
    this.workgroup = new AthenaWorkgroup(this, 'workgroup', {
      name: this.workgroupName,
      description: 'Queries over the product event archive',
      forceDestroy: props.forceDestroy,
      configuration: {
        enforceWorkgroupConfiguration: true,
        publishCloudwatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: props.bytesScannedCutoffPerQuery,
        resultConfiguration: {
          outputLocation: `s3://${props.bucketName}/${props.resultsPrefix}`,
          encryptionConfiguration: props.kmsKeyArn
            ? { encryptionOption: 'SSE_KMS', kmsKeyArn: props.kmsKeyArn }
            : { encryptionOption: 'SSE_S3' },
        },
      },
      tags: props.tags,
    });

    this.namedQueries = !props.savedQueries
      ? []
      : savedQueries({ database: this.databaseName, table: this.tableName }, props.journeys).map(
          (query) =>
            new AthenaNamedQuery(this, `query-${query.name}`, {
              name: `${props.namePrefix}-${query.name}`,
              description: query.description,
              database: this.database.name,
              workgroup: this.workgroup.id,
              query: terraformLiteral(query.sql),
            }),
        );
  }
}
