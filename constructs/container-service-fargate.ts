/**
 * Fargate task sizing rules and the container definition JSON, kept apart from the service wiring.
 */

/** Valid memory (MiB) per Fargate CPU units: [min, max, step]. From the ECS task size table. */
const FARGATE_MEMORY_BY_CPU: Readonly<Record<number, readonly [number, number, number] | readonly number[]>> = {
  256: [512, 1024, 2048],
  512: range(1024, 4096, 1024),
  1024: range(2048, 8192, 1024),
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
  8192: range(16384, 61440, 4096),
  16384: range(32768, 122880, 8192),
};

function range(min: number, max: number, step: number): number[] {
  return Array.from({ length: (max - min) / step + 1 }, (_, i) => min + i * step);
}

export function validateFargateSize(cpu: number, memoryMiB: number): void {
  const allowed = FARGATE_MEMORY_BY_CPU[cpu];
  if (!allowed) {
    throw new Error(`cpu must be one of ${Object.keys(FARGATE_MEMORY_BY_CPU).join(', ')} (Fargate CPU units), got ${cpu}`);
  }
  if (!allowed.includes(memoryMiB)) {
    const shown = allowed.length > 4 ? `${allowed[0]}..${allowed[allowed.length - 1]} in steps of ${allowed[1] - allowed[0]}` : allowed.join(', ');
    throw new Error(`memoryMiB ${memoryMiB} is not valid with cpu ${cpu} on Fargate; allowed: ${shown}`);
  }
}

/** `<account>.dkr.ecr.<region>.amazonaws.com/<name>[:tag|@digest]` -> the repository ARN. */
export function ecrRepositoryArnOfImage(image: string): string | undefined {
  const match = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([a-z0-9._\/-]+?)(?::[\w.-]+|@sha256:[0-9a-f]{64})?$/.exec(image);
  if (!match) return undefined;
  const [, account, region, name] = match;
  const partition = region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  return `arn:${partition}:ecr:${region}:${account}:repository/${name}`;
}

export const APP_CONTAINER_NAME = 'app';
export const TMP_VOLUME_NAME = 'tmp';

export interface ContainerDefinitionInput {
  readonly image: string;
  readonly containerPort: number;
  readonly environment: Record<string, string>;
  readonly readonlyRootFilesystem: boolean;
  readonly logGroupName: string;
  readonly region: string;
}

export function appContainerDefinitions(input: ContainerDefinitionInput): string {
  return JSON.stringify([{
    name: APP_CONTAINER_NAME,
    image: input.image,
    essential: true,
    portMappings: [{ containerPort: input.containerPort, protocol: 'tcp' }],
    readonlyRootFilesystem: input.readonlyRootFilesystem,
    // With a read-only root, /tmp is the one writable place (task-local storage, gone with the task).
    mountPoints: [{ sourceVolume: TMP_VOLUME_NAME, containerPath: '/tmp', readOnly: false }],
    environment: Object.entries(input.environment).sort(([a], [b]) => a.localeCompare(b)).map(([name, value]) => ({ name, value })),
    // An init process reaps zombies and forwards SIGTERM, so ECS's graceful stop reaches the app.
    linuxParameters: { initProcessEnabled: true },
    logConfiguration: {
      logDriver: 'awslogs',
      options: { 'awslogs-group': input.logGroupName, 'awslogs-region': input.region, 'awslogs-stream-prefix': APP_CONTAINER_NAME },
    },
  }]);
}
