/** Who owns a resource: every monoenv resource is tagged with its `domain` and `team`. */
export interface OwnershipTags {
  readonly domain: string;
  readonly team: string;
}

export function ownershipTags(ownership: OwnershipTags | undefined, name?: string): Record<string, string> {
  return {
    ...(name ? { Name: name } : {}),
    ...(ownership ? { domain: ownership.domain, team: ownership.team } : {}),
  };
}
