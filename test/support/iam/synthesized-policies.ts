import { MOTO_ACCOUNT_ID } from './aws-call-recorder';
import type { PolicyDocument } from './iam-simulation';

/**
 * The IAM policies of a synthesized stack (cdk.tf.json), with their Terraform references turned into the ARNs
 * AWS would put there, so that iam-simulate can evaluate them offline. A reference the resolver does not know
 * throws: a policy is never evaluated with a hole in it.
 */
export interface SynthesizedStack {
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
}

export interface ResolveOptions {
  /** @default MOTO_ACCOUNT_ID */
  readonly account?: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** Ids for resources AWS names itself (API Gateway APIs), by Terraform address. @default - `api<n>` */
  readonly generatedIds?: Readonly<Record<string, string>>;
}

export interface RolePolicies {
  /** The role's name (`aws_iam_role.name`). */
  readonly roleName: string;
  readonly address: string;
  readonly identityPolicies: PolicyDocument[];
  readonly boundaryArn?: string;
  /** The assume-role (trust) policy. */
  readonly trust: PolicyDocument;
}

export class SynthesizedPolicies {
  private readonly account: string;
  private readonly region: string;

  constructor(
    private readonly stack: SynthesizedStack,
    private readonly options: ResolveOptions = {},
  ) {
    this.account = options.account ?? MOTO_ACCOUNT_ID;
    this.region = options.region ?? 'us-east-1';
  }

  /** A string with every `${type.name.attr}` replaced by its value. */
  resolve(text: string): string {
    return text.replace(/\$\{((?:data\.)?[a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z_]+)\}/g, (_all, type: string, name: string, attr: string) =>
      this.attribute(type, name, attr),
    );
  }

  /** Every role of the stack with its inline policies, boundary and trust, resolved. */
  roles(): RolePolicies[] {
    const roles = this.stack.resource?.aws_iam_role ?? {};
    return Object.entries(roles).map(([name, role]) => {
      const address = `aws_iam_role.${name}`;
      const inline = Object.values(this.stack.resource?.aws_iam_role_policy ?? {})
        .filter((policy) => String(policy.role).startsWith(`\${${address}.`))
        .map((policy) => this.document(String(policy.policy)));
      return {
        roleName: this.roleName(name),
        address,
        identityPolicies: inline,
        boundaryArn: role.permissions_boundary === undefined ? undefined : this.resolve(String(role.permissions_boundary)),
        trust: this.document(String(role.assume_role_policy)),
      };
    });
  }

  role(roleName: string): RolePolicies {
    const found = this.roles().find((role) => role.roleName === roleName);
    if (!found)
      throw new Error(
        `no role named ${roleName} in the stack (roles: ${this.roles()
          .map((r) => r.roleName)
          .join(', ')})`,
      );
    return found;
  }

  /** The role a Lambda function runs as. */
  functionRole(functionName: string): RolePolicies {
    const fn = Object.values(this.stack.resource?.aws_lambda_function ?? {}).find((f) => f.function_name === functionName);
    if (!fn) throw new Error(`no Lambda function named ${functionName} in the stack`);
    const roleArn = this.resolve(String(fn.role));
    return this.role(roleArn.split('/').pop()!);
  }

  /** An IAM policy resource's document (e.g. a boundary created by the stack). */
  policyNamed(policyName: string): PolicyDocument {
    const policy = Object.values(this.stack.resource?.aws_iam_policy ?? {}).find((p) => p.name === policyName);
    if (!policy) throw new Error(`no aws_iam_policy named ${policyName} in the stack`);
    return this.document(String(policy.policy));
  }

  /** A Lambda function's resource policy, as the stack's aws_lambda_permission resources build it. */
  lambdaResourcePolicy(functionName: string): PolicyDocument {
    const functionArn = `arn:aws:lambda:${this.region}:${this.account}:function:${functionName}`;
    const statements = Object.values(this.stack.resource?.aws_lambda_permission ?? {})
      .filter((permission) => this.resolve(String(permission.function_name)) === functionName)
      .map((permission) => {
        const principal = String(permission.principal);
        const conditions: Record<string, Record<string, string>> = {};
        if (permission.source_arn !== undefined) conditions.ArnLike = { 'AWS:SourceArn': this.resolve(String(permission.source_arn)) };
        if (permission.source_account !== undefined) conditions.StringEquals = { 'AWS:SourceAccount': String(permission.source_account) };
        if (permission.function_url_auth_type !== undefined)
          conditions.StringEquals = { ...conditions.StringEquals, 'lambda:FunctionUrlAuthType': String(permission.function_url_auth_type) };
        return {
          Sid: String(permission.statement_id ?? 'permission'),
          Effect: 'Allow',
          Principal: principal === '*' ? '*' : principal.endsWith('.amazonaws.com') ? { Service: principal } : { AWS: principal },
          Action: String(permission.action),
          Resource: functionArn,
          ...(Object.keys(conditions).length ? { Condition: conditions } : {}),
        };
      });
    return { Version: '2012-10-17', Statement: statements };
  }

  private document(text: string): PolicyDocument {
    return JSON.parse(this.resolve(text)) as PolicyDocument;
  }

  private config(kind: 'resource' | 'data', type: string, name: string): Record<string, unknown> {
    const found = (kind === 'resource' ? this.stack.resource : this.stack.data)?.[type]?.[name];
    if (!found) throw new Error(`the stack has no ${kind === 'data' ? 'data.' : ''}${type}.${name}`);
    return found;
  }

  private roleName(name: string): string {
    const role = this.config('resource', 'aws_iam_role', name);
    if (typeof role.name !== 'string')
      throw new Error(`aws_iam_role.${name} has no name: AWS would generate one (terraform-...), outside any <app>-* scope`);
    return this.resolve(role.name);
  }

  private attribute(type: string, name: string, attr: string): string {
    const { account, region } = this;
    if (type === 'data.aws_caller_identity' && attr === 'account_id') return account;
    if (type === 'data.aws_region' && attr === 'name') return region;
    if (type === 'data.aws_partition' && attr === 'partition') return 'aws';
    if (type === 'data.aws_iam_policy_document' && attr === 'json') return this.policyDocumentJson(name);
    const config = this.config('resource', type, name);
    const text = (key: string) => this.resolve(String(config[key]));
    const arns: Record<string, () => string> = {
      aws_dynamodb_table: () => `arn:aws:dynamodb:${region}:${account}:table/${text('name')}`,
      aws_kinesis_stream: () => `arn:aws:kinesis:${region}:${account}:stream/${text('name')}`,
      // AWS appends six random characters to a secret's name in its ARN.
      aws_secretsmanager_secret: () => `arn:aws:secretsmanager:${region}:${account}:secret:${text('name')}-??????`,
      aws_sqs_queue: () => `arn:aws:sqs:${region}:${account}:${text('name')}`,
      aws_cloudwatch_log_group: () => `arn:aws:logs:${region}:${account}:log-group:${text('name')}`,
      aws_ecr_repository: () => `arn:aws:ecr:${region}:${account}:repository/${text('name')}`,
      aws_s3_bucket: () => `arn:aws:s3:::${text('bucket')}`,
      aws_lambda_function: () => `arn:aws:lambda:${region}:${account}:function:${text('function_name')}`,
      aws_iam_role: () => `arn:aws:iam::${account}:role/${this.roleName(name)}`,
      aws_iam_policy: () => `arn:aws:iam::${account}:policy/${text('name')}`,
      aws_sns_topic: () => `arn:aws:sns:${region}:${account}:${text('name')}`,
      aws_ecs_cluster: () => `arn:aws:ecs:${region}:${account}:cluster/${text('name')}`,
      aws_kinesis_firehose_delivery_stream: () => `arn:aws:firehose:${region}:${account}:deliverystream/${text('name')}`,
      aws_glue_catalog_database: () => `arn:aws:glue:${region}:${account}:database/${text('name')}`,
      // A key's id is generated by AWS: a stable stand-in per address.
      aws_kms_key: () => `arn:aws:kms:${region}:${account}:key/${this.generatedId(`${type}.${name}`)}`,
      aws_iam_openid_connect_provider: () => `arn:aws:iam::${account}:oidc-provider/${text('url').replace(/^https:\/\//, '')}`,
    };
    if (attr === 'arn' && arns[type]) return arns[type]();
    if (attr === 'name' || attr === 'function_name' || attr === 'bucket') return text(attr);
    if (type === 'aws_iam_role' && attr === 'id') return this.roleName(name);
    if (type === 'aws_apigatewayv2_api' && attr === 'execution_arn')
      return `arn:aws:execute-api:${region}:${account}:${this.generatedId(`${type}.${name}`)}`;
    if (type === 'aws_apigatewayv2_api' && attr === 'id') return this.generatedId(`${type}.${name}`);
    throw new Error(`cannot resolve \${${type}.${name}.${attr}} offline; teach SynthesizedPolicies this attribute`);
  }

  private generatedId(address: string): string {
    return this.options.generatedIds?.[address] ?? 'api123abc';
  }

  private policyDocumentJson(name: string): string {
    const config = this.config('data', 'aws_iam_policy_document', name);
    const statements = (config.statement as Array<Record<string, unknown>>).map((statement) => ({
      Effect: statement.effect ?? 'Allow',
      Action: statement.actions,
      ...(statement.resources ? { Resource: statement.resources } : {}),
      ...(statement.principals
        ? {
            Principal: Object.fromEntries(
              (statement.principals as Array<{ type: string; identifiers: string[] }>).map((p) => [p.type, p.identifiers]),
            ),
          }
        : {}),
    }));
    return JSON.stringify({ Version: '2012-10-17', Statement: statements });
  }
}
