import { Construct } from 'constructs';
import { Fn } from 'cdktf';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { Route } from '@cdktf/provider-aws/lib/route';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { DataAwsAvailabilityZones } from '@cdktf/provider-aws/lib/data-aws-availability-zones';
import { z } from 'zod';
import { ownershipTags, type OwnershipTags } from '../core/ownership';
import { logRetentionDaysSchema, namePrefixSchema, parseProps, tokenOr } from '../core/props';

/** How private subnets reach the internet. */
export type NatGatewayMode = 'one' | 'per-az' | 'none';

/** A VPC made elsewhere: the construct creates nothing and only exposes these ids. */
export interface ExistingVpc {
  readonly vpcId: string;
  /** At least two, in different AZs: the load balancer needs them. */
  readonly publicSubnetIds: string[];
  /** @default - none: tasks run in the public subnets with public IPs */
  readonly privateSubnetIds?: string[];
}

export interface NetworkProps {
  /**
   * The VPC's IPv4 range, /16 to /24; each of the four subnets gets a sixteenth of it.
   * @default '10.0.0.0/16'
   */
  readonly cidrBlock?: string;
  /**
   * NAT for the private subnets: 'one' shared gateway (cheaper, one AZ's failure cuts egress),
   * 'per-az' (resilient), or 'none' (no NAT cost: services run in the public subnets with
   * public IPs, still reachable only through their security groups).
   * @default 'one'
   */
  readonly natGateways?: NatGatewayMode;
  /**
   * Exactly two AZ names to spread subnets over.
   * @default - the first two available AZs of the region, from the aws_availability_zones data source
   */
  readonly availabilityZones?: string[];
  /**
   * Use an existing VPC instead of creating one; every other prop except ownership is then ignored.
   * @default - a new VPC is created
   */
  readonly existingVpc?: ExistingVpc;
  /**
   * Record rejected and accepted traffic of the VPC to CloudWatch Logs.
   * @default true
   */
  readonly flowLogs?: boolean;
  /**
   * Retention of the flow log group.
   * @default 90
   */
  readonly flowLogRetentionDays?: number;
  /**
   * Root of the names it gives (`Name` tags, the flow-log group and role): the same rule as every `namePrefix`.
   * @default - the construct id
   */
  readonly namePrefix?: string;
  /** @default - no domain/team tags (the stack's provider default tags still apply) */
  readonly ownership?: OwnershipTags;
}

const AZ_COUNT = 2;
const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** The VPC range: an IPv4 CIDR from /16 to /24 (AWS's VPC limits; four subnets of /+4). */
export const cidrBlockSchema = z.string().superRefine((cidrBlock, ctx) => {
  const match = CIDR_PATTERN.exec(cidrBlock);
  if (!match || !match.slice(1, 5).every((octet) => Number(octet) <= 255)) {
    ctx.addIssue({ code: 'custom', message: `cidrBlock must be an IPv4 CIDR like 10.0.0.0/16, got '${cidrBlock}'` });
  } else if (Number(match[5]) < 16 || Number(match[5]) > 24) {
    ctx.addIssue({
      code: 'custom',
      message: `cidrBlock prefix must be between /16 and /24 (AWS VPC limits, four subnets of /+4), got /${match[5]}`,
    });
  }
});

export const natGatewaysSchema = z.enum(['one', 'per-az', 'none'], { error: "natGateways must be 'one', 'per-az' or 'none'" });

const subnetId = tokenOr(
  z
    .string()
    .regex(/^subnet-[0-9a-f]+$/)
    .describe('must look like subnet-0abc...'),
);
export const existingVpcSchema = z.strictObject({
  vpcId: tokenOr(
    z
      .string()
      .regex(/^vpc-[0-9a-f]+$/)
      .describe('vpcId must look like vpc-0abc...'),
  ),
  publicSubnetIds: z
    .array(subnetId)
    .min(AZ_COUNT, `existingVpc.publicSubnetIds needs at least ${AZ_COUNT} subnets (the load balancer spans two AZs)`),
  /** Empty: tasks run in the public subnets with public IPs. */
  privateSubnetIds: z.array(subnetId).default([]),
});

/** The scalar props with their defaults; the config's `network` section is checked with the same rules. */
export const networkSettingsSchema = z.object({
  cidrBlock: cidrBlockSchema.default('10.0.0.0/16'),
  natGateways: natGatewaysSchema.default('one'),
  availabilityZones: z.array(z.string()).length(AZ_COUNT, `availabilityZones must name exactly ${AZ_COUNT} zones`).optional(),
  existingVpc: existingVpcSchema.optional(),
  flowLogs: z.boolean().default(true),
  flowLogRetentionDays: logRetentionDaysSchema.default(90),
  namePrefix: namePrefixSchema.optional(),
});

/** Where a service runs: a `Network`, or subnets you manage yourself. */
export interface INetwork {
  readonly vpcId: string;
  /** For the load balancer: at least two, in different AZs. */
  readonly publicSubnetIds: readonly string[];
  /** Where tasks run. */
  readonly serviceSubnetIds: readonly string[];
  /** True when tasks need a public IP to reach the internet (no NAT). */
  readonly assignPublicIp: boolean;
}

/**
 * A two-AZ VPC with public and private subnets, or an existing VPC's ids.
 * `serviceSubnetIds` and `assignPublicIp` tell a service where its tasks go.
 */
export class Network extends Construct implements INetwork {
  public readonly vpcId: string;
  public readonly publicSubnetIds: string[];
  public readonly privateSubnetIds: string[];
  /** Where tasks run: the private subnets, or the public ones when there is no NAT. */
  public readonly serviceSubnetIds: string[];
  /** True when tasks need a public IP to reach the internet (no NAT). */
  public readonly assignPublicIp: boolean;
  /** The created VPC; undefined for an existing VPC. */
  public readonly vpc?: Vpc;
  public readonly natGatewayCount: number;
  public readonly flowLogGroup?: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: NetworkProps = {}) {
    super(scope, id);
    const { ownership: _ownership, ...scalars } = props;
    const settings = parseProps('Network', networkSettingsSchema, scalars);

    if (settings.existingVpc) {
      const existing = settings.existingVpc;
      this.vpcId = existing.vpcId;
      this.publicSubnetIds = [...existing.publicSubnetIds];
      this.privateSubnetIds = [...existing.privateSubnetIds];
      this.assignPublicIp = existing.privateSubnetIds.length === 0;
      this.serviceSubnetIds = this.assignPublicIp ? this.publicSubnetIds : this.privateSubnetIds;
      this.natGatewayCount = 0;
      return;
    }

    const { cidrBlock, natGateways: natMode, flowLogRetentionDays } = settings;
    const prefix = settings.namePrefix ?? id;
    const tags = (name: string, extra: Record<string, string> = {}) => ({
      ...ownershipTags(props.ownership, `${prefix}-${name}`),
      ...extra,
    });

    const azNames =
      settings.availabilityZones ??
      (() => {
        const zones = new DataAwsAvailabilityZones(this, 'zones', { state: 'available' });
        return Array.from({ length: AZ_COUNT }, (_, i) => Fn.element(zones.names, i) as string);
      })();

    const vpc = new Vpc(this, 'vpc', {
      cidrBlock,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: tags('vpc'),
    });
    this.vpc = vpc;
    this.vpcId = vpc.id;

    // AWS's default security group allows all traffic between its members; strip its rules so
    // nothing relies on it by accident.
    new DefaultSecurityGroup(this, 'default-sg-locked', { vpcId: vpc.id, tags: tags('default-sg-unused') });

    const igw = new InternetGateway(this, 'igw', { vpcId: vpc.id, tags: tags('igw') });
    const publicRoutes = new RouteTable(this, 'public-routes', { vpcId: vpc.id, tags: tags('public') });
    new Route(this, 'public-default-route', {
      routeTableId: publicRoutes.id,
      destinationCidrBlock: '0.0.0.0/0',
      gatewayId: igw.id,
    });

    const publicSubnets = azNames.map((az, i) => {
      const subnet = new Subnet(this, `public-${i}`, {
        vpcId: vpc.id,
        availabilityZone: az,
        cidrBlock: Fn.cidrsubnet(cidrBlock, 4, i),
        // Public IPs only where asked for (assignPublicIp on the task), never by default.
        mapPublicIpOnLaunch: false,
        tags: tags(`public-${i}`, { tier: 'public' }),
      });
      new RouteTableAssociation(this, `public-${i}-routes`, { subnetId: subnet.id, routeTableId: publicRoutes.id });
      return subnet;
    });

    const natCount = natMode === 'none' ? 0 : natMode === 'one' ? 1 : AZ_COUNT;
    const natGateways = Array.from({ length: natCount }, (_, i) => {
      const eip = new Eip(this, `nat-eip-${i}`, { domain: 'vpc', tags: tags(`nat-${i}`), dependsOn: [igw] });
      return new NatGateway(this, `nat-${i}`, {
        allocationId: eip.allocationId,
        subnetId: publicSubnets[i].id,
        tags: tags(`nat-${i}`),
        dependsOn: [igw],
      });
    });

    const privateSubnets = azNames.map((az, i) => {
      const subnet = new Subnet(this, `private-${i}`, {
        vpcId: vpc.id,
        availabilityZone: az,
        cidrBlock: Fn.cidrsubnet(cidrBlock, 4, AZ_COUNT + i),
        mapPublicIpOnLaunch: false,
        tags: tags(`private-${i}`, { tier: 'private' }),
      });
      const routes = new RouteTable(this, `private-${i}-routes`, { vpcId: vpc.id, tags: tags(`private-${i}`) });
      if (natGateways.length > 0) {
        new Route(this, `private-${i}-default-route`, {
          routeTableId: routes.id,
          destinationCidrBlock: '0.0.0.0/0',
          natGatewayId: natGateways[Math.min(i, natGateways.length - 1)].id,
        });
      }
      new RouteTableAssociation(this, `private-${i}-association`, { subnetId: subnet.id, routeTableId: routes.id });
      return subnet;
    });

    this.natGatewayCount = natCount;
    this.publicSubnetIds = publicSubnets.map((s) => s.id);
    this.privateSubnetIds = privateSubnets.map((s) => s.id);
    this.assignPublicIp = natCount === 0;
    this.serviceSubnetIds = this.assignPublicIp ? this.publicSubnetIds : this.privateSubnetIds;

    if (settings.flowLogs) {
      this.flowLogGroup = this.createFlowLogs(vpc, prefix, flowLogRetentionDays, props.ownership);
    }
  }

  private createFlowLogs(vpc: Vpc, prefix: string, retentionInDays: number, ownership?: OwnershipTags): CloudwatchLogGroup {
    const logGroup = new CloudwatchLogGroup(this, 'flow-log-group', {
      name: `/vpc/${prefix}/flow-logs`,
      retentionInDays,
      tags: ownershipTags(ownership),
    });
    const role = new IamRole(this, 'flow-log-role', {
      // Named under the prefix: the deploy role may only create roles named `<app>-*`.
      name: `${prefix}-vpc-flow-logs`.slice(0, 64),
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'vpc-flow-logs.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
      tags: ownershipTags(ownership),
    });
    new IamRolePolicy(this, 'flow-log-policy', {
      role: role.id,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogGroups', 'logs:DescribeLogStreams'],
            Resource: [logGroup.arn, `${logGroup.arn}:*`],
          },
        ],
      }),
    });
    new FlowLog(this, 'flow-log', {
      vpcId: vpc.id,
      trafficType: 'ALL',
      logDestinationType: 'cloud-watch-logs',
      logDestination: logGroup.arn,
      iamRoleArn: role.arn,
      maxAggregationInterval: 600,
      tags: ownershipTags(ownership),
    });
    return logGroup;
  }
}
