/**
 * Acknowledging a finding in code: stored as construct metadata, so it travels with the construct and applies to
 * everything below it.
 */
import type { IConstruct } from 'constructs';

export const ACKNOWLEDGEMENT_METADATA = 'monoenv:guardrails:acknowledgement';

interface Acknowledgement {
  readonly ruleId: string;
  readonly reason: string;
}

export function acknowledge(scope: IConstruct, ruleId: string, reason: string): void {
  if (!/^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$/.test(ruleId)) {
    throw new Error(`Guardrails.acknowledge(${scope.node.path}): ruleId ${JSON.stringify(ruleId)} is not a rule id like "MONO-S3-1".`);
  }
  if (reason.trim().length < 10) {
    throw new Error(
      `Guardrails.acknowledge(${scope.node.path}, ${ruleId}): give a reason of at least 10 characters saying why the finding is acceptable.`,
    );
  }
  const ack: Acknowledgement = { ruleId, reason: reason.trim() };
  scope.node.addMetadata(ACKNOWLEDGEMENT_METADATA, ack);
}

/** The reason `ruleId` was acknowledged on `construct` or one of its scopes (nearest first), if it was. */
export function acknowledgementReason(construct: IConstruct, ruleId: string): string | undefined {
  for (const scope of [...construct.node.scopes].reverse()) {
    const found = scope.node.metadata
      .filter((entry) => entry.type === ACKNOWLEDGEMENT_METADATA)
      .map((entry) => entry.data as Acknowledgement)
      .find((ack) => ack.ruleId === ruleId);
    if (found) return found.reason;
  }
  return undefined;
}
