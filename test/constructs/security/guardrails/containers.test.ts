import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { EcrRegistryScanningConfiguration } from '@cdktf/provider-aws/lib/ecr-registry-scanning-configuration';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { findingsOf } from '../../../support/guardrails-harness';

const assumeRolePolicy = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
const containers = (...defs: object[]) =>
  JSON.stringify(defs.map((def, i) => ({ name: `c${i}`, image: 'app:1', essential: true, ...def })));

describe('MONO-ECS-1 read-only root file system', () => {
  it('passes when every container has readonlyRootFilesystem true', () => {
    expect(
      findingsOf(
        'MONO-ECS-1',
        (s) =>
          new EcsTaskDefinition(s, 'Task', {
            family: 'app',
            containerDefinitions: containers({ readonlyRootFilesystem: true }, { readonlyRootFilesystem: true }),
          }),
      ),
    ).toEqual([]);
  });
  it('names each container that is writable', () => {
    expect(
      findingsOf(
        'MONO-ECS-1',
        (s) =>
          new EcsTaskDefinition(s, 'Task', {
            family: 'app',
            containerDefinitions: containers({ readonlyRootFilesystem: true }, {}, { readonlyRootFilesystem: false }),
          }),
      ),
    ).toEqual(['test/Task: container "c1" has readonlyRootFilesystem "unset"; container "c2" has readonlyRootFilesystem false']);
  });
});

describe('MONO-ECS-2 separate roles', () => {
  const definitions = containers({ readonlyRootFilesystem: true });
  it('passes two different roles', () => {
    expect(
      findingsOf('MONO-ECS-2', (s) => {
        const execution = new IamRole(s, 'Execution', { assumeRolePolicy });
        const task = new IamRole(s, 'TaskRole', { assumeRolePolicy });
        new EcsTaskDefinition(s, 'Task', {
          family: 'app',
          containerDefinitions: definitions,
          executionRoleArn: execution.arn,
          taskRoleArn: task.arn,
        });
      }),
    ).toEqual([]);
  });
  it('flags one role used for both, by reference or by literal ARN', () => {
    expect(
      findingsOf('MONO-ECS-2', (s) => {
        const role = new IamRole(s, 'Role', { assumeRolePolicy });
        new EcsTaskDefinition(s, 'ByRef', {
          family: 'a',
          containerDefinitions: definitions,
          executionRoleArn: role.arn,
          taskRoleArn: role.arn,
        });
        new EcsTaskDefinition(s, 'ByArn', {
          family: 'b',
          containerDefinitions: definitions,
          executionRoleArn: 'arn:aws:iam::1:role/r',
          taskRoleArn: 'arn:aws:iam::1:role/r',
        });
      }),
    ).toEqual([
      'test/ByRef: execution_role_arn and task_role_arn are the same role',
      'test/ByArn: execution_role_arn and task_role_arn are the same role',
    ]);
  });
});

describe('MONO-ECR-1 immutable tags', () => {
  it('passes an IMMUTABLE repository', () => {
    expect(findingsOf('MONO-ECR-1', (s) => new EcrRepository(s, 'Repo', { name: 'app', imageTagMutability: 'IMMUTABLE' }))).toEqual([]);
  });
  it('flags the MUTABLE default', () => {
    expect(findingsOf('MONO-ECR-1', (s) => new EcrRepository(s, 'Repo', { name: 'app' }))).toEqual([
      'test/Repo: image_tag_mutability is "MUTABLE"',
    ]);
  });
});

describe('MONO-ECR-2 image scanning', () => {
  it('passes scan on push, or a registry scanning configuration in the stack', () => {
    expect(
      findingsOf('MONO-ECR-2', (s) => new EcrRepository(s, 'Repo', { name: 'app', imageScanningConfiguration: { scanOnPush: true } })),
    ).toEqual([]);
    expect(
      findingsOf('MONO-ECR-2', (s) => {
        new EcrRepository(s, 'Repo', { name: 'app' });
        new EcrRegistryScanningConfiguration(s, 'Scanning', {
          scanType: 'ENHANCED',
          rule: [{ scanFrequency: 'CONTINUOUS_SCAN', repositoryFilter: [{ filter: '*', filterType: 'WILDCARD' }] }],
        });
      }),
    ).toEqual([]);
  });
  it('flags a repository with neither', () => {
    expect(
      findingsOf('MONO-ECR-2', (s) => new EcrRepository(s, 'Repo', { name: 'app', imageScanningConfiguration: { scanOnPush: false } })),
    ).toEqual(['test/Repo: scan_on_push is not true and the stack has no registry scanning configuration']);
  });
});
