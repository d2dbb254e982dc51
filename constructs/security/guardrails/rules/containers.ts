/** ECS task definitions and ECR repositories. */
import type { GuardrailRule } from '../rule';
import { referencedAddresses } from '../stack-view';
import { blocks, firstBlock, isExpression, isSet, isTrueOrUnknown } from '../values';

export const readOnlyRootFilesystem: GuardrailRule = {
  id: 'MONO-ECS-1',
  description: 'ECS containers run with a read-only root file system.',
  fix: 'Set "readonlyRootFilesystem": true in every container definition; mount a volume for paths that must be writable.',
  appliesTo: ['aws_ecs_task_definition'],
  check: ({ config }) => {
    let containers: Record<string, unknown>[];
    try {
      containers = blocks(JSON.parse(String(config.container_definitions)));
    } catch {
      return []; // an expression such as jsonencode(var.containers): unknown until apply
    }
    return containers
      .filter((container) => !isTrueOrUnknown(container.readonlyRootFilesystem))
      .map(
        (container) =>
          `container ${JSON.stringify(container.name ?? '?')} has readonlyRootFilesystem ${JSON.stringify(container.readonlyRootFilesystem ?? 'unset')}`,
      );
  },
};

export const separateTaskRoles: GuardrailRule = {
  id: 'MONO-ECS-2',
  description: 'ECS task definitions use separate execution and task roles.',
  fix: 'Give executionRoleArn (pulls images, writes logs) and taskRoleArn (what the app may call) two different roles.',
  appliesTo: ['aws_ecs_task_definition'],
  check: ({ config }) => {
    const execution = config.execution_role_arn;
    const task = config.task_role_arn;
    if (!isSet(execution) || !isSet(task)) return []; // no task role is fine: the app then has no AWS permissions
    const executionRoles = referencedAddresses(execution);
    const sameRole = execution === task || referencedAddresses(task).some((address) => executionRoles.includes(address));
    return sameRole ? ['execution_role_arn and task_role_arn are the same role'] : [];
  },
};

export const immutableImageTags: GuardrailRule = {
  id: 'MONO-ECR-1',
  description: 'ECR repositories have immutable image tags.',
  fix: "Set imageTagMutability: 'IMMUTABLE'.",
  appliesTo: ['aws_ecr_repository'],
  check: ({ config }) => {
    const mutability = config.image_tag_mutability;
    return isExpression(mutability) || (typeof mutability === 'string' && mutability.startsWith('IMMUTABLE'))
      ? []
      : [`image_tag_mutability is ${JSON.stringify(mutability ?? 'MUTABLE')}`];
  },
};

export const imageScanning: GuardrailRule = {
  id: 'MONO-ECR-2',
  description: 'ECR images are scanned for vulnerabilities.',
  fix: 'Set imageScanningConfiguration: { scanOnPush: true }, or add an EcrRegistryScanningConfiguration to the stack.',
  appliesTo: ['aws_ecr_repository'],
  check: ({ config }, stack) => {
    if (isTrueOrUnknown(firstBlock(config.image_scanning_configuration)?.scan_on_push)) return [];
    return stack.resources('aws_ecr_registry_scanning_configuration').length > 0
      ? []
      : ['scan_on_push is not true and the stack has no registry scanning configuration'];
  },
};
