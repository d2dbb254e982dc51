import { unmapped } from '../recorded-call';
import { arn, authorize, list, text, type MappingContext, type ServiceMapping } from './common';

/** ECR, ECS and Inspector2: the image re-scan Lambda's calls and the ones next to them. */

// ECR operations on the one repository named by repositoryName (in the registryId account, if given).
const REPOSITORY_OPERATIONS = new Set([
  'DescribeImages',
  'ListImages',
  'BatchGetImage',
  'PutImage',
  'BatchDeleteImage',
  'StartImageScan',
  'DescribeImageScanFindings',
  'CreateRepository',
  'DeleteRepository',
  'PutImageScanningConfiguration',
  'GetRepositoryPolicy',
  'SetRepositoryPolicy',
  'GetLifecyclePolicy',
  'PutLifecyclePolicy',
  'BatchCheckLayerAvailability',
  'GetDownloadUrlForLayer',
  'InitiateLayerUpload',
  'UploadLayerPart',
  'CompleteLayerUpload',
]);

export const ecr: ServiceMapping = {
  displayName: 'ECR',
  map({ operation, input }, context) {
    const action = `ecr:${operation}`;
    const repository = (name: string) => arn('ecr', context, `repository/${name}`, text(input.registryId));
    if (REPOSITORY_OPERATIONS.has(operation)) {
      const name = text(input.repositoryName);
      return name ? [authorize(action, repository(name))] : unmapped(`${operation} without a repositoryName`);
    }
    if (operation === 'DescribeRepositories') {
      // Without names it lists every repository: authorized on all of them.
      const names = list(input.repositoryNames)
        .map(text)
        .filter((n): n is string => !!n);
      return (names.length ? names : ['*']).map((name) => authorize(action, repository(name)));
    }
    if (operation === 'GetAuthorizationToken') return [authorize(action, '*')];
    return unmapped(`ECR ${operation || '(no operation)'} is not mapped`);
  },
};

/** ECS takes a cluster as a name or an ARN; requests without one act on the `default` cluster. */
function cluster(value: unknown, context: MappingContext): { name: string; arn: string } {
  const given = text(value) ?? 'default';
  const name = given.startsWith('arn:') ? given.slice(given.indexOf(':cluster/') + ':cluster/'.length) : given;
  return { name, arn: given.startsWith('arn:') ? given : arn('ecs', context, `cluster/${name}`) };
}

export const ecs: ServiceMapping = {
  displayName: 'ECS',
  map({ operation, input }, context) {
    const action = `ecs:${operation}`;
    const inCluster = cluster(input.cluster, context);
    const clusterKey = { 'ecs:cluster': inCluster.arn };
    // Task and service ids may be given bare; AWS authorizes their full ARNs.
    const members = (field: unknown, kind: string) =>
      list(field)
        .map(text)
        .filter((v): v is string => !!v)
        .map((id) => authorize(action, id.startsWith('arn:') ? id : arn('ecs', context, `${kind}/${inCluster.name}/${id}`), clusterKey));
    switch (operation) {
      case 'ListClusters':
        return [authorize(action, '*')];
      case 'ListServices':
        return [authorize(action, '*', clusterKey)];
      case 'ListTasks': {
        // The service authorization reference lists container-instance as ListTasks' resource, narrowed by ecs:cluster.
        const instance = text(input.containerInstance);
        const resource = instance?.startsWith('arn:')
          ? instance
          : arn('ecs', context, `container-instance/${inCluster.name}/${instance ?? '*'}`);
        return [authorize(action, resource, clusterKey)];
      }
      case 'DescribeTasks':
        return members(input.tasks, 'task');
      case 'DescribeServices':
        return members(input.services, 'service');
      case 'DescribeClusters': {
        const clusters = list(input.clusters);
        return (clusters.length ? clusters : [undefined]).map((c) => authorize(action, cluster(c, context).arn));
      }
      default:
        return unmapped(`ECS ${operation || '(no operation)'} is not mapped`);
    }
  },
};

// Inspector2's list and status reads take no resource.
const INSPECTOR_OPERATIONS = new Set(['ListCoverage', 'ListFindings', 'BatchGetAccountStatus']);

export const inspector2: ServiceMapping = {
  displayName: 'Inspector2',
  map({ operation }) {
    return INSPECTOR_OPERATIONS.has(operation)
      ? [authorize(`inspector2:${operation}`, '*')]
      : unmapped(`Inspector2 ${operation || '(no operation)'} is not mapped`);
  },
};
