import { CreatePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { workloadBoundaryDocument, workloadBoundaryName } from '../../constructs/security/permissions-boundary';
import { motoClientConfig } from './moto-server';

/**
 * Creates the workload permissions boundary in the local AWS, as the bootstrap stack does in a real account once:
 * every role of the production stack carries it, so it must exist before they are created.
 */
export async function createLocalBoundary(endpoint: string, region: string, appName: string): Promise<void> {
  const iam = new IAMClient(motoClientConfig(endpoint, region));
  try {
    await iam.send(
      new CreatePolicyCommand({ PolicyName: workloadBoundaryName(appName), PolicyDocument: JSON.stringify(workloadBoundaryDocument()) }),
    );
  } finally {
    iam.destroy();
  }
}
