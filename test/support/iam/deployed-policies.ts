import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { motoClientConfig } from '../../../cli/local/moto-server';
import type { PolicyDocument } from './iam-simulation';

/** A function's role as deployed in the (local) AWS: its policies and boundary, as IAM would evaluate them. */
export interface DeployedRole {
  readonly roleArn: string;
  readonly identityPolicies: PolicyDocument[];
  readonly boundary?: PolicyDocument;
}

const document = (text: string | undefined): PolicyDocument => JSON.parse(decodeURIComponent(text ?? '{}')) as PolicyDocument;

async function policyDocument(iam: IAMClient, policyArn: string): Promise<PolicyDocument> {
  const { Policy } = await iam.send(new GetPolicyCommand({ PolicyArn: policyArn }));
  const { PolicyVersion } = await iam.send(new GetPolicyVersionCommand({ PolicyArn: policyArn, VersionId: Policy?.DefaultVersionId }));
  return document(PolicyVersion?.Document);
}

/** Reads the role each function runs as, read back from the AWS terraform applied to (not from the synthesized JSON). */
export async function deployedFunctionRoles(
  clientConfig: ReturnType<typeof motoClientConfig>,
  functionNames: readonly string[],
): Promise<Record<string, DeployedRole>> {
  const iam = new IAMClient(clientConfig);
  const lambda = new LambdaClient(clientConfig);
  try {
    const roles: Record<string, DeployedRole> = {};
    for (const functionName of functionNames) {
      const roleArn = (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }))).Role!;
      const RoleName = roleArn.split('/').pop()!;
      const { Role } = await iam.send(new GetRoleCommand({ RoleName }));
      const inlineNames = (await iam.send(new ListRolePoliciesCommand({ RoleName }))).PolicyNames ?? [];
      const inline = await Promise.all(
        inlineNames.map(async (PolicyName) =>
          document((await iam.send(new GetRolePolicyCommand({ RoleName, PolicyName }))).PolicyDocument),
        ),
      );
      const attachedArns = ((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName }))).AttachedPolicies ?? []).map(
        (p) => p.PolicyArn!,
      );
      const attached = await Promise.all(attachedArns.map((arn) => policyDocument(iam, arn)));
      const boundaryArn = Role?.PermissionsBoundary?.PermissionsBoundaryArn;
      roles[functionName] = {
        roleArn,
        identityPolicies: [...inline, ...attached],
        boundary: boundaryArn ? await policyDocument(iam, boundaryArn) : undefined,
      };
    }
    return roles;
  } finally {
    iam.destroy();
    lambda.destroy();
  }
}
