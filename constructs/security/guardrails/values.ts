/**
 * Reading synthesized (resolved) Terraform attribute values. A reference or other expression resolves to a string
 * containing `${...}`; its value is unknown until apply, so rules treat it as "set".
 */
export const isExpression = (value: unknown): value is string => typeof value === 'string' && value.includes('${');

export const isSet = (value: unknown): boolean =>
  value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && value.length === 0);

/** True, or an expression that may be true. */
export const isTrueOrUnknown = (value: unknown): boolean => value === true || value === 'true' || isExpression(value);

export type Block = Record<string, unknown>;

/** A nested block: cdktf writes single blocks as an object and repeatable ones as an array. */
export function blocks(value: unknown): Block[] {
  const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return list.filter((item): item is Block => typeof item === 'object' && item !== null && !Array.isArray(item));
}

export const firstBlock = (value: unknown): Block | undefined => blocks(value)[0];

/** A string or list of strings (IAM's Action/Resource style) as a list; undefined when it is one unknown expression. */
export function stringList(value: unknown): string[] | undefined {
  if (typeof value === 'string') return isExpression(value) && value.startsWith('${') && value.endsWith('}') ? undefined : [value];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return undefined;
}
