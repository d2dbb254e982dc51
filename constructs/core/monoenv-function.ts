import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { App, AssetType, TerraformAsset } from 'cdktf';
import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import type { IMonitoring, MetricSpec } from '../monitoring/monitoring';
import { checkStatement, policyDocument, type Grantee, type PolicyStatement } from './grants';
import { metricWidget } from '../monitoring/monitoring';
import { ownershipTags, type OwnershipTags } from './ownership';
import { parseProps } from './props';
import { DEFAULT_LAMBDA_RUNTIME, monoenvFunctionSettingsSchema, type MonoenvFunctionSettings } from './monoenv-function-props';

export { DEFAULT_LAMBDA_RUNTIME } from './monoenv-function-props';

/** esbuild's target for a `nodejsNN.x` runtime, so bundles use what that Node.js has and nothing newer. */
export const esbuildTarget = (runtime: string): string => {
  const major = /^nodejs(\d+)\.x$/.exec(runtime)?.[1];
  if (!major) throw new Error(`not a Node.js Lambda runtime: '${runtime}'`);
  return `node${major}`;
};

export type { PolicyStatement } from './grants';

export interface MonoenvFunctionProps {
  /** Path to the TypeScript handler module, e.g. `lambdas/flag-evaluation/handler.ts`. */
  readonly entry: string;
  /** Exported handler name. @default 'handler' */
  readonly handler?: string;
  /** @default - derived from the construct path */
  readonly functionName?: string;
  readonly description?: string;
  /** @default - none */
  readonly environment?: Record<string, string>;
  /** The only permissions the function gets, besides writing its own logs. @default - none */
  readonly policyStatements?: readonly PolicyStatement[];
  /** @default 10 */
  readonly timeoutSeconds?: number;
  /** @default 256 */
  readonly memoryMiB?: number;
  /** @default 30 */
  readonly logRetentionDays?: number;
  /** A Node.js runtime (`nodejsNN.x`); the bundle targets its Node.js version. @default DEFAULT_LAMBDA_RUNTIME */
  readonly runtime?: string;
  /** @default - 'arm64' (cheaper per ms for these workloads) */
  readonly architecture?: 'arm64' | 'x86_64';
  /** Caps concurrent executions, e.g. to protect a downstream. @default - unreserved */
  readonly reservedConcurrentExecutions?: number;
  /** Error and throttle alarms and a dashboard row go here. @default - no alarms */
  readonly monitoring?: IMonitoring;
  /** Topic for this function's alarms (e.g. the owning team's). @default - the monitoring alerts topic */
  readonly alarmTopicArn?: string;
  readonly ownership?: OwnershipTags;
}

/** The folder holding lambdas/ as this module sees it: the package root (sources), or its dist/ (compiled). */
const PACKAGE_OUTPUT_DIR = path.resolve(__dirname, '..', '..');

/**
 * Path of a monoenv Lambda's handler: the TypeScript source where there is one, the compiled JavaScript
 * otherwise. Constructs bundle Lambdas by path and never import their code. `packageDir` is the package root
 * (running from sources) or its dist/ (compiled: how the CLI runs), whose sources sit beside dist/. The source
 * bundles far smaller (esbuild tree-shakes ES modules, not the CommonJS a build emits: the ingest handler zips
 * to 31 KB instead of 200 KB).
 */
export function lambdaEntry(functionDir: string, packageDir: string = PACKAGE_OUTPUT_DIR): string {
  const roots = path.basename(packageDir) === 'dist' ? [packageDir, path.dirname(packageDir)] : [packageDir];
  const source = roots.map((root) => path.join(root, 'lambdas', functionDir, 'handler.ts')).find((file) => existsSync(file));
  return source ?? path.join(packageDir, 'lambdas', functionDir, 'handler.js');
}

export interface BundleResult {
  readonly dir: string;
  readonly sizeBytes: number;
}

/**
 * Bundles a handler with esbuild into `outRoot`: minified, tree-shaken, for the runtime's Node.js, source maps.
 * The AWS SDK v3 stays external: the Node.js runtimes ship it, and it would dwarf our own code.
 */
export function bundleHandler(entry: string, outRoot: string, runtime: string = DEFAULT_LAMBDA_RUNTIME): BundleResult {
  const absolute = path.resolve(entry);
  const dir = path.join(outRoot, createHash('sha256').update(absolute).digest('hex').slice(0, 16));
  mkdirSync(dir, { recursive: true });
  const outfile = path.join(dir, 'index.js');
  const result = buildSync({
    entryPoints: [absolute],
    outfile,
    bundle: true,
    minify: true,
    treeShaking: true,
    sourcemap: true,
    sourcesContent: false,
    platform: 'node',
    target: esbuildTarget(runtime),
    format: 'cjs',
    external: ['@aws-sdk/*', '@smithy/*'],
    legalComments: 'none',
    logLevel: 'silent',
  });
  if (result.errors.length > 0) {
    throw new Error(`could not bundle ${entry}: ${result.errors.map((e) => e.text).join('; ')}`);
  }
  return { dir, sizeBytes: statSync(outfile).size };
}

/**
 * A TypeScript handler under `lambdas/` as a deployed function: bundle, asset, function, a role with
 * only the permissions given, a log group with retention, and error/throttle alarms.
 */
export class MonoenvFunction extends Construct implements Grantee {
  readonly function: LambdaFunction;
  readonly role: IamRole;
  readonly logGroup: CloudwatchLogGroup;
  readonly functionName: string;
  readonly timeoutSeconds: number;
  readonly bundleSizeBytes: number;
  private readonly statements: PolicyStatement[];

  constructor(scope: Construct, id: string, props: MonoenvFunctionProps) {
    super(scope, id);
    const settings = resolveSettings(id, props);
    const { timeoutSeconds, runtime } = settings;
    this.timeoutSeconds = timeoutSeconds;
    for (const statement of props.policyStatements ?? []) checkStatement(statement, `MonoenvFunction ${id}`);
    this.functionName = settings.functionName ?? defaultFunctionName(this);
    const tags = ownershipTags(props.ownership, this.functionName);

    // Next to the synthesized stacks (cdktf.out/), which the asset is copied into anyway; not the temp dir.
    const bundle = bundleHandler(settings.entry, path.join(App.of(this).outdir, '.bundles'), runtime);
    this.bundleSizeBytes = bundle.sizeBytes;
    const asset = new TerraformAsset(this, 'code', { path: bundle.dir, type: AssetType.ARCHIVE });

    this.logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: `/aws/lambda/${this.functionName}`,
      retentionInDays: settings.logRetentionDays,
      tags,
    });

    const assume = new DataAwsIamPolicyDocument(this, 'assume', {
      statement: [{ actions: ['sts:AssumeRole'], principals: [{ type: 'Service', identifiers: ['lambda.amazonaws.com'] }] }],
    });
    this.role = new IamRole(this, 'role', { name: `${this.functionName}-role`.slice(0, 64), assumeRolePolicy: assume.json, tags });

    this.statements = [
      { actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${this.logGroup.arn}:*`] },
      ...(props.policyStatements ?? []),
    ];
    new IamRolePolicy(this, 'role-policy', {
      role: this.role.id,
      name: 'least-privilege',
      // Produced at synth so grants added after construction are included.
      policy: policyDocument(this.statements),
    });

    this.function = new LambdaFunction(this, 'function', {
      functionName: this.functionName,
      description: settings.description,
      role: this.role.arn,
      runtime,
      architectures: [settings.architecture],
      handler: `index.${settings.handler}`,
      filename: asset.path,
      sourceCodeHash: asset.assetHash,
      timeout: timeoutSeconds,
      memorySize: settings.memoryMiB,
      reservedConcurrentExecutions: settings.reservedConcurrentExecutions,
      environment: { variables: { NODE_OPTIONS: '--enable-source-maps', ...settings.environment } },
      loggingConfig: { logFormat: 'JSON', logGroup: this.logGroup.name },
      tags,
      dependsOn: [this.logGroup],
    });

    if (props.monitoring) this.addMonitoring(props.monitoring, props.alarmTopicArn, props.ownership);
  }

  get functionArn(): string {
    return this.function.arn;
  }

  /** Grants the function more permissions (before synthesis); other constructs' grantXxx(fn) call this. */
  addToPrincipalPolicy(statement: PolicyStatement): void {
    checkStatement(statement, `MonoenvFunction ${this.node.id}`);
    this.statements.push(statement);
  }

  metricErrors(): MetricSpec {
    return this.metric('Errors', 'Sum');
  }

  metricThrottles(): MetricSpec {
    return this.metric('Throttles', 'Sum');
  }

  metricInvocations(): MetricSpec {
    return this.metric('Invocations', 'Sum');
  }

  metricDuration(statistic = 'p99'): MetricSpec {
    return this.metric('Duration', statistic);
  }

  private metric(metricName: string, statistic: string): MetricSpec {
    return { namespace: 'AWS/Lambda', metricName, dimensions: { FunctionName: this.functionName }, statistic, periodSeconds: 60 };
  }

  private addMonitoring(monitoring: IMonitoring, topicArn: string | undefined, ownership: OwnershipTags | undefined): void {
    const alarms: [string, string, MetricSpec][] = [
      ['errors', 'the function reported errors', this.metricErrors()],
      ['throttles', 'invocations were throttled', this.metricThrottles()],
    ];
    for (const [suffix, what, metric] of alarms) {
      monitoring.addAlarm(
        `${this.functionName}-${suffix}`,
        {
          alarmName: `${this.functionName}-${suffix}`,
          description: `${this.functionName}: ${what}`,
          metric,
          threshold: 1,
          comparisonOperator: 'GreaterThanOrEqualToThreshold',
          evaluationPeriods: 5,
          datapointsToAlarm: 2,
          topicArn,
          ownership,
        },
        this,
      );
    }
    monitoring.addWidgets(
      metricWidget(`${this.functionName}: invocations, errors, throttles`, [
        this.metricInvocations(),
        this.metricErrors(),
        this.metricThrottles(),
      ]),
      metricWidget(`${this.functionName}: duration p50 / p99`, [this.metricDuration('p50'), this.metricDuration('p99')]),
    );
  }
}

/** Checks the scalar props (its permissions, monitoring and owners are not parsed: grants.ts checks statements). */
function resolveSettings(id: string, props: MonoenvFunctionProps): MonoenvFunctionSettings {
  const { policyStatements: _statements, monitoring: _monitoring, alarmTopicArn: _topic, ownership: _ownership, ...scalars } = props;
  return parseProps(`MonoenvFunction ${id}`, monoenvFunctionSettingsSchema, scalars);
}

function defaultFunctionName(scope: Construct): string {
  const pathName = scope.node.path.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');
  if (pathName.length <= 64) return pathName;
  const hash = createHash('sha256').update(scope.node.path).digest('hex').slice(0, 8);
  return `${pathName.slice(0, 55)}-${hash}`;
}
