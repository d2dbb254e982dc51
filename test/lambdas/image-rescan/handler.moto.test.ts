import { CreateRepositoryCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import {
  CreateClusterCommand,
  ECSClient,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
} from '@aws-sdk/client-ecs';
import { Inspector2Client } from '@aws-sdk/client-inspector2';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { describeWithMoto, functionClientConfig, motoClientConfig } from '../../support/moto';
import { awsRescanPorts } from '../../../lambdas/image-rescan/handler';
import { runRescan } from '../../../lambdas/image-rescan/rescan';

// A minimal schema-2 manifest; moto derives the image digest from it.
const manifest = (n: number) =>
  JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 1, digest: `sha256:${String(n).repeat(64).slice(0, 64)}` },
    layers: [],
  });

/**
 * moto runs tasks only on a registered container instance (its Fargate/awsvpc path is broken), which
 * needs a moto EC2 instance. The EC2 SDK client is not a project dependency, so that one EC2 Query API
 * call is made by hand; moto does not check signatures.
 */
async function ec2Call(endpoint: string, params: Record<string, string>, field: string): Promise<string> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: 'AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: new URLSearchParams({ Version: '2016-11-15', ...params }).toString(),
  });
  const text = await response.text();
  const value = new RegExp(`<${field}>([^<]+)</${field}>`).exec(text)?.[1];
  if (!value) throw new Error(`EC2 ${params.Action} gave no ${field}: ${text.slice(0, 300)}`);
  return value;
}

// The production stack's repository (named after the app) and the re-scan function's own credentials, so the
// suite ends with an IAM evaluation of every call the function made against the policy the stack gives it.
const REPOSITORY = 'monoenv';

describeWithMoto(
  'image re-scan handler against moto (ECR + ECS)',
  (moto) => {
    const clients = (config: ReturnType<typeof motoClientConfig>) => {
      const withHttp1 = { ...config, requestHandler: new NodeHttpHandler() };
      return { ecr: new ECRClient(withHttp1), ecs: new ECSClient(withHttp1), inspector: new Inspector2Client(withHttp1) };
    };

    it('finds the image a running task uses and starts a basic scan for it', async () => {
      const { ecr, ecs } = clients(motoClientConfig(moto().endpoint));
      const repo = await ecr.send(new CreateRepositoryCommand({ repositoryName: REPOSITORY }));
      const uri = repo.repository!.repositoryUri!;
      for (const [n, tag] of [
        [1, 'v1'],
        [2, 'v2'],
        [3, 'v3'],
      ] as const) {
        await ecr.send(new PutImageCommand({ repositoryName: REPOSITORY, imageManifest: manifest(n), imageTag: tag }));
      }
      await ecs.send(new CreateClusterCommand({ clusterName: 'web' }));
      const instanceId = await ec2Call(
        moto().endpoint,
        { Action: 'RunInstances', ImageId: 'ami-12c6146b', MinCount: '1', MaxCount: '1' },
        'instanceId',
      );
      await ecs.send(
        new RegisterContainerInstanceCommand({
          cluster: 'web',
          instanceIdentityDocument: JSON.stringify({ instanceId, region: 'us-east-1' }),
        }),
      );
      // moto sizes tasks from container-level cpu/memory.
      await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: 'web',
          containerDefinitions: [{ name: 'app', image: `${uri}:v1`, essential: true, cpu: 256, memory: 512 }],
        }),
      );
      await ecs.send(new RunTaskCommand({ cluster: 'web', taskDefinition: 'web', count: 1 }));

      const config = { repositoryName: REPOSITORY, scanMode: 'basic' as const, recentImageCount: 0 };
      const lines: string[] = [];
      const ports = awsRescanPorts(config, clients(functionClientConfig(moto().endpoint, 'monoenv-image-rescan')), (line) =>
        lines.push(line),
      );
      const running = await ports.listRunningContainers();
      expect(running).toEqual([expect.objectContaining({ image: `${uri}:v1` })]);

      const images = await ports.listImages();
      expect(images.map((i) => i.tags).sort()).toEqual([['v1'], ['v2'], ['v3']]);
      const v1 = images.find((i) => i.tags.includes('v1'))!.digest;

      const scanned: string[] = [];
      const result = await runRescan(
        config,
        {
          ...ports,
          startImageScan: async (digest) => {
            scanned.push(digest);
            await ports.startImageScan(digest);
          },
        },
        new Date(),
      );
      expect(scanned).toEqual([v1]);
      expect(result).toMatchObject({ mode: 'basic', imagesInUse: 1, summary: { started: 1, failed: 0 } });
      expect(JSON.parse(lines[lines.length - 1])).toMatchObject({
        Repository: REPOSITORY,
        ImagesInUse: 1,
        RescansStarted: 1,
        RescansFailed: 0,
      });
    });
  },
  { iam: { config: { imageScanning: { mode: 'basic' } } } },
);
