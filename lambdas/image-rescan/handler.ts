import { DescribeRepositoriesCommand, ECRClient, paginateDescribeImages, StartImageScanCommand } from '@aws-sdk/client-ecr';
import { DescribeTasksCommand, ECSClient, paginateListClusters, paginateListTasks } from '@aws-sdk/client-ecs';
import { Inspector2Client, paginateListCoverage } from '@aws-sdk/client-inspector2';
import { lambdaIo, type LambdaIo } from '../shared/lambda-io';
import { loadRescanConfig, type RescanConfig } from './config';
import { runRescan, type RescanPorts, type RescanResult } from './rescan';
import type { RepositoryImage, RunningContainer } from './images-in-use';
import type { CoverageRecord } from './coverage';

/** Thin AWS adapter for the scheduled image re-scan; all decisions are in rescan.ts and its parts. */

export interface RescanClients {
  readonly ecr: ECRClient;
  readonly ecs: ECSClient;
  readonly inspector: Inspector2Client;
}

const DESCRIBE_TASKS_BATCH = 100; // DescribeTasks' limit per call

export function awsRescanPorts(
  config: RescanConfig,
  clients: RescanClients,
  log: (line: string) => void = lambdaIo().writeLine,
): RescanPorts {
  const repositoryName = config.repositoryName;
  return {
    async repositoryUri() {
      const out = await clients.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repositoryName] }));
      const uri = out.repositories?.[0]?.repositoryUri;
      if (!uri) throw new Error(`ECR repository ${repositoryName} has no URI`);
      return uri;
    },
    async listImages() {
      const images: RepositoryImage[] = [];
      for await (const page of paginateDescribeImages({ client: clients.ecr }, { repositoryName })) {
        for (const detail of page.imageDetails ?? []) {
          if (!detail.imageDigest) continue;
          const completed = detail.imageScanFindingsSummary?.imageScanCompletedAt;
          images.push({
            digest: detail.imageDigest,
            tags: detail.imageTags ?? [],
            ...(detail.imagePushedAt ? { pushedAt: detail.imagePushedAt } : {}),
            ...(completed ? { lastScanCompletedAt: completed } : {}),
          });
        }
      }
      return images;
    },
    async listRunningContainers() {
      const containers: RunningContainer[] = [];
      for await (const clusters of paginateListClusters({ client: clients.ecs }, {})) {
        for (const cluster of clusters.clusterArns ?? []) {
          const taskArns: string[] = [];
          for await (const tasks of paginateListTasks({ client: clients.ecs }, { cluster, desiredStatus: 'RUNNING' }))
            taskArns.push(...(tasks.taskArns ?? []));
          for (let i = 0; i < taskArns.length; i += DESCRIBE_TASKS_BATCH) {
            const out = await clients.ecs.send(new DescribeTasksCommand({ cluster, tasks: taskArns.slice(i, i + DESCRIBE_TASKS_BATCH) }));
            for (const task of out.tasks ?? []) {
              for (const container of task.containers ?? []) {
                if (container.image)
                  containers.push({ image: container.image, ...(container.imageDigest ? { imageDigest: container.imageDigest } : {}) });
              }
            }
          }
        }
      }
      return containers;
    },
    async startImageScan(digest) {
      await clients.ecr.send(new StartImageScanCommand({ repositoryName, imageId: { imageDigest: digest } }));
    },
    async listCoverage() {
      const records: CoverageRecord[] = [];
      const filterCriteria = {
        resourceType: [{ comparison: 'EQUALS' as const, value: 'AWS_ECR_CONTAINER_IMAGE' }],
        ecrRepositoryName: [{ comparison: 'EQUALS' as const, value: repositoryName }],
      };
      for await (const page of paginateListCoverage({ client: clients.inspector }, { filterCriteria })) {
        for (const covered of page.coveredResources ?? []) {
          records.push({
            resourceId: covered.resourceId ?? '',
            statusCode: covered.scanStatus?.statusCode ?? 'INACTIVE',
            ...(covered.scanStatus?.reason ? { reason: covered.scanStatus.reason } : {}),
          });
        }
      }
      return records;
    },
    log,
  };
}

/** The scheduled re-scan over the function's environment; its log and metric lines go to `io.writeLine`. */
export function createRescanHandler(env: NodeJS.ProcessEnv, io: Partial<LambdaIo> = {}): () => Promise<RescanResult> {
  const { now, writeLine } = lambdaIo(io);
  let clients: RescanClients | undefined;
  return async () => {
    const config = loadRescanConfig(env);
    clients ??= { ecr: new ECRClient({}), ecs: new ECSClient({}), inspector: new Inspector2Client({}) };
    return runRescan(config, awsRescanPorts(config, clients, writeLine), new Date(now()));
  };
}

let fromEnv: ReturnType<typeof createRescanHandler> | undefined;

/** Invoked by EventBridge Scheduler; the event carries nothing the re-scan needs. */
export const handler = (): Promise<RescanResult> => (fromEnv ??= createRescanHandler(process.env))();
