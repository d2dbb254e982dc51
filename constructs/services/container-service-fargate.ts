/**
 * The container definition JSON and the image's repository, kept apart from the service wiring (the sizing
 * rules are in container-service-props.ts).
 */

/** `<account>.dkr.ecr.<region>.amazonaws.com/<name>[:tag|@digest]` -> the repository ARN. */
export function ecrRepositoryArnOfImage(image: string): string | undefined {
  const match = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([a-z0-9._/-]+?)(?::[\w.-]+|@sha256:[0-9a-f]{64})?$/.exec(
    image,
  );
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
  return JSON.stringify([
    {
      name: APP_CONTAINER_NAME,
      image: input.image,
      essential: true,
      portMappings: [{ containerPort: input.containerPort, protocol: 'tcp' }],
      readonlyRootFilesystem: input.readonlyRootFilesystem,
      // With a read-only root, /tmp is the one writable place (task-local storage, gone with the task).
      mountPoints: [{ sourceVolume: TMP_VOLUME_NAME, containerPath: '/tmp', readOnly: false }],
      environment: Object.entries(input.environment)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, value]) => ({ name, value })),
      // An init process reaps zombies and forwards SIGTERM, so ECS's graceful stop reaches the app.
      linuxParameters: { initProcessEnabled: true },
      logConfiguration: {
        logDriver: 'awslogs',
        options: { 'awslogs-group': input.logGroupName, 'awslogs-region': input.region, 'awslogs-stream-prefix': APP_CONTAINER_NAME },
      },
    },
  ]);
}
