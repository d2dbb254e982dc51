/**
 * A read-only view of the Terraform resources and data sources under a construct, with their attributes resolved
 * to what synth writes (snake_case keys, references as `${type.name.attr}` strings). Rules check this view, so they
 * work the same for provider classes and for escape-hatch `TerraformResource`s with overrides.
 */
import { DefaultTokenResolver, StringConcat, TerraformDataSource, TerraformResource, TerraformStack, Tokenization } from 'cdktf';
import type { IConstruct } from 'constructs';
import type { Block } from './values';

export interface ElementView {
  readonly kind: 'resource' | 'data';
  /** Terraform type, e.g. `aws_s3_bucket`. */
  readonly type: string;
  /** Terraform address, e.g. `aws_s3_bucket.Logs` or `data.aws_iam_policy_document.Read`. */
  readonly address: string;
  /** Construct path, e.g. `prod/Logs/Bucket`. */
  readonly path: string;
  readonly config: Block;
  readonly construct: IConstruct;
}

const resolver = new DefaultTokenResolver(new StringConcat());

function viewOf(element: TerraformResource | TerraformDataSource, kind: ElementView['kind']): ElementView | undefined {
  const stack = TerraformStack.of(element);
  let synthesized: Record<string, Record<string, Record<string, Block>>>;
  try {
    synthesized = Tokenization.resolve(element.toTerraform(), { scope: stack, resolver });
  } catch {
    // Some tokens only resolve during a full app synth (e.g. cross-stack references); fall back to the raw form,
    // whose tokens are `${TfToken[...]}` strings and therefore still read as "set".
    synthesized = element.toTerraform() as typeof synthesized;
  }
  const byType = synthesized[kind]?.[element.terraformResourceType];
  if (!byType) return undefined; // e.g. a resource that was moved away
  const [name, config] = Object.entries(byType)[0];
  const address = kind === 'data' ? `data.${element.terraformResourceType}.${name}` : `${element.terraformResourceType}.${name}`;
  return { kind, type: element.terraformResourceType, address, path: element.node.path, config, construct: element };
}

export class StackView {
  /** Every resource and data source below `scope` (the scope itself included). */
  static of(scope: IConstruct): StackView {
    const elements: ElementView[] = [];
    for (const node of scope.node.findAll()) {
      const view = TerraformResource.isTerraformResource(node)
        ? viewOf(node, 'resource')
        : node instanceof TerraformDataSource
          ? viewOf(node, 'data')
          : undefined;
      if (view) elements.push(view);
    }
    return new StackView(elements);
  }

  constructor(readonly elements: readonly ElementView[]) {}

  resources(type: string): ElementView[] {
    return this.elements.filter((element) => element.kind === 'resource' && element.type === type);
  }

  dataSources(type: string): ElementView[] {
    return this.elements.filter((element) => element.kind === 'data' && element.type === type);
  }
}

/**
 * Whether an attribute value points at `target`: a reference to any of its attributes
 * (`${aws_s3_bucket.Logs.id}`), or the literal value of its naming attribute (e.g. the bucket name).
 */
export function refersTo(value: unknown, target: ElementView, namingAttribute?: string): boolean {
  if (typeof value !== 'string') return false;
  if (value.includes(`${target.address}.`)) return true;
  const name = namingAttribute ? target.config[namingAttribute] : undefined;
  return typeof name === 'string' && name !== '' && name === value;
}

/** The Terraform addresses a value references, e.g. `aws_iam_role.Task` for `${aws_iam_role.Task.arn}`. */
export function referencedAddresses(value: unknown): string[] {
  if (typeof value !== 'string') return [];
  return [...value.matchAll(/\$\{((?:data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+)\./g)].map((match) => match[1]);
}

/**
 * Whether a value references `target` by its Terraform address, e.g. `${aws_lambda_function.Api.invoke_arn}` for
 * `aws_lambda_function.Api`; unlike `refersTo`, not `data.aws_lambda_function.Api` or a literal name.
 */
export function references(value: unknown, target: ElementView, attribute?: string): boolean {
  if (typeof value !== 'string') return false;
  const address = `${target.address}.${attribute ?? ''}`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![A-Za-z0-9_.-])${address}${attribute ? '\\b' : ''}`).test(value);
}
