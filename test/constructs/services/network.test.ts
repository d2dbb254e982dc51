import { Testing, TerraformStack } from 'cdktf';
// Brings in the global jest matcher types that Testing.setupJest() registers.
import 'cdktf/lib/testing/adapters/jest';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { DataAwsAvailabilityZones } from '@cdktf/provider-aws/lib/data-aws-availability-zones';
import { Network, NetworkProps } from '../../../constructs/services/network';
import { testApp, synthScope } from '../../support/temp';

Testing.setupJest();

const ownership = { domain: 'platform', team: 'infra' };

function synth(props: NetworkProps = {}): { json: string; parsed: any; network: Network } {
  let network!: Network;
  const json = synthScope((scope) => {
    network = new Network(scope, 'net', { ownership, ...props });
  });
  return { json, parsed: JSON.parse(json), network };
}

const count = (parsed: any, type: string): number => Object.keys(parsed.resource?.[type] ?? {}).length;

describe('Network', () => {
  it('creates a DNS-enabled VPC with the default CIDR and ownership tags', () => {
    const { json } = synth();
    expect(json).toHaveResourceWithProperties(Vpc, {
      cidr_block: '10.0.0.0/16',
      enable_dns_hostnames: true,
      enable_dns_support: true,
      tags: expect.objectContaining({ domain: 'platform', team: 'infra' }),
    });
  });

  it('spreads two public and two private subnets over the AZ data source without public IPs on launch', () => {
    const { json, parsed } = synth();
    expect(json).toHaveDataSourceWithProperties(DataAwsAvailabilityZones, { state: 'available' });
    expect(count(parsed, 'aws_subnet')).toBe(4);
    expect(json).toHaveResourceWithProperties(Subnet, {
      availability_zone: expect.stringMatching(/^\$\{element\(data\.aws_availability_zones\.net_zones_\w+\.names, 0\)\}$/),
      cidr_block: '${cidrsubnet("10.0.0.0/16", 4, 0)}',
      map_public_ip_on_launch: false,
      tags: expect.objectContaining({ tier: 'public' }),
    });
    expect(json).toHaveResourceWithProperties(Subnet, {
      cidr_block: '${cidrsubnet("10.0.0.0/16", 4, 3)}',
      tags: expect.objectContaining({ tier: 'private' }),
    });
  });

  it('uses given availability zones instead of the data source', () => {
    const { json, parsed } = synth({ availabilityZones: ['eu-west-1a', 'eu-west-1b'], cidrBlock: '172.16.0.0/20' });
    expect(parsed.data?.aws_availability_zones).toBeUndefined();
    expect(json).toHaveResourceWithProperties(Subnet, {
      availability_zone: 'eu-west-1b',
      cidr_block: '${cidrsubnet("172.16.0.0/20", 4, 1)}',
    });
  });

  it('defaults to one NAT gateway shared by both private route tables; tasks go private', () => {
    const { parsed, network } = synth();
    expect(count(parsed, 'aws_nat_gateway')).toBe(1);
    const natRoutes = Object.values(parsed.resource.aws_route as Record<string, any>).filter((r) => r.nat_gateway_id);
    expect(natRoutes).toHaveLength(2);
    expect(new Set(natRoutes.map((r) => r.nat_gateway_id)).size).toBe(1);
    expect(network.assignPublicIp).toBe(false);
    expect(network.serviceSubnetIds).toEqual(network.privateSubnetIds);
  });

  it('creates a NAT gateway per AZ on request, each private subnet routed to its own', () => {
    const { parsed } = synth({ natGateways: 'per-az' });
    expect(count(parsed, 'aws_nat_gateway')).toBe(2);
    const natRoutes = Object.values(parsed.resource.aws_route as Record<string, any>).filter((r) => r.nat_gateway_id);
    expect(new Set(natRoutes.map((r) => r.nat_gateway_id)).size).toBe(2);
  });

  it("with natGateways 'none' creates no NAT and puts tasks in public subnets with public IPs", () => {
    const { json, network } = synth({ natGateways: 'none' });
    expect(json).not.toHaveResource(NatGateway);
    expect(network.assignPublicIp).toBe(true);
    expect(network.serviceSubnetIds).toEqual(network.publicSubnetIds);
  });

  it('routes the public subnets through the internet gateway', () => {
    const { parsed } = synth();
    const igwRoutes = Object.values(parsed.resource.aws_route as Record<string, any>).filter((r) => r.gateway_id);
    expect(igwRoutes).toEqual([
      expect.objectContaining({ destination_cidr_block: '0.0.0.0/0', gateway_id: expect.stringContaining('aws_internet_gateway') }),
    ]);
    expect(count(parsed, 'aws_route_table_association')).toBe(4);
  });

  it('locks down the default security group', () => {
    const { json, parsed } = synth();
    expect(json).toHaveResource(DefaultSecurityGroup);
    const sg = Object.values(parsed.resource.aws_default_security_group as Record<string, any>)[0];
    expect(sg.ingress).toBeUndefined();
    expect(sg.egress).toBeUndefined();
  });

  it('sends flow logs to a log group with retention by default, and can turn them off', () => {
    const { json } = synth();
    expect(json).toHaveResourceWithProperties(FlowLog, { traffic_type: 'ALL', log_destination_type: 'cloud-watch-logs' });
    expect(json).toHaveResourceWithProperties(CloudwatchLogGroup, { retention_in_days: 90, name: '/vpc/net/flow-logs' });
    expect(synth({ flowLogs: false }).json).not.toHaveResource(FlowLog);
  });

  it('exposes an existing VPC without creating anything', () => {
    const { parsed, network } = synth({
      existingVpc: { vpcId: 'vpc-1', publicSubnetIds: ['subnet-a1', 'subnet-a2'], privateSubnetIds: ['subnet-b1', 'subnet-b2'] },
    });
    expect(parsed.resource).toBeUndefined();
    expect(network.vpcId).toBe('vpc-1');
    expect(network.serviceSubnetIds).toEqual(['subnet-b1', 'subnet-b2']);
    expect(network.assignPublicIp).toBe(false);
    const publicOnly = synth({ existingVpc: { vpcId: 'vpc-1', publicSubnetIds: ['subnet-a1', 'subnet-a2'] } }).network;
    expect(publicOnly.serviceSubnetIds).toEqual(['subnet-a1', 'subnet-a2']);
    expect(publicOnly.assignPublicIp).toBe(true);
  });

  it.each<[string, NetworkProps, RegExp]>([
    ['a malformed CIDR', { cidrBlock: '10.0.0/16' }, /cidrBlock must be an IPv4 CIDR/],
    ['an out-of-range octet', { cidrBlock: '10.300.0.0/16' }, /cidrBlock must be an IPv4 CIDR/],
    ['a too large VPC', { cidrBlock: '10.0.0.0/8' }, /cidrBlock prefix must be between \/16 and \/24/],
    ['one AZ', { availabilityZones: ['us-east-1a'] }, /availabilityZones must name exactly 2/],
    ['an unknown NAT mode', { natGateways: 'two' as never }, /natGateways must be/],
    ['an invalid retention', { flowLogRetentionDays: 10 }, /flowLogRetentionDays: must be one of CloudWatch Logs' retention values/],
    [
      'an existing VPC with one public subnet',
      { existingVpc: { vpcId: 'vpc-1', publicSubnetIds: ['subnet-a1'], privateSubnetIds: [] } },
      /existingVpc.publicSubnetIds needs at least 2/,
    ],
    ['a name prefix AWS names cannot start with', { namePrefix: 'Prod_Net' }, /namePrefix: must be 1-28 lower-case letters/],
    [
      'an existing VPC with a malformed id',
      { existingVpc: { vpcId: 'my-vpc', publicSubnetIds: ['subnet-a1', 'subnet-a2'] } },
      /existingVpc.vpcId: vpcId must look like vpc-0abc/,
    ],
  ])('rejects %s', (_label, props, message) => {
    const stack = new TerraformStack(testApp(), 'stack');
    expect(() => new Network(stack, 'net', props)).toThrow(message);
  });
});
