import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ExperimentSummary, MetricSums } from './experiment-summary';
import { experimentPk, STEP_SEEN_SK_PREFIX, type MetricKind } from './experiment-keys';

/** Thrown when the aggregates cannot form a summary; `code` is machine-readable. */
export class ExperimentDataError extends Error {
  constructor(
    readonly code: 'NOT_ENOUGH_VARIANTS',
    message: string,
  ) {
    super(message);
    this.name = 'ExperimentDataError';
  }
}

interface VariantAccumulator {
  users: number;
  readonly metrics: Map<string, { kind: MetricKind; sums: MetricSums }>;
}

/** `control` first (the report's default baseline is the first variant), then by name. */
const byControlThenName = (a: string, b: string) => (a === 'control' ? -1 : b === 'control' ? 1 : a.localeCompare(b));

/**
 * Reads what the journey processor aggregated for one experiment flag, as an ExperimentSummary.
 * Conversion metrics (`<journey>`) count every exposed user (n = users, sum = sumSquares =
 * converters); `<journey>.seconds_to_convert` counts converters only. A metric seen in one variant is
 * added to the others with no conversions, so variants always compare the same metrics.
 */
export async function readExperimentSummary(client: DynamoDBDocumentClient, tableName: string, flag: string): Promise<ExperimentSummary> {
  const variants = new Map<string, VariantAccumulator>();
  const metricKinds = new Map<string, MetricKind>();
  const stepsSeen = new Map<string, string[]>();
  const variantNamed = (name: string): VariantAccumulator => {
    let v = variants.get(name);
    if (!v) variants.set(name, (v = { users: 0, metrics: new Map() }));
    return v;
  };

  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': experimentPk(flag) },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      if (String(item.sk).startsWith(STEP_SEEN_SK_PREFIX)) {
        const journey = String(item.journey);
        stepsSeen.set(journey, [...(stepsSeen.get(journey) ?? []), String(item.step)]);
        continue;
      }
      const variant = variantNamed(String(item.variant));
      if (item.metric === undefined) {
        variant.users = Number(item.users ?? 0);
        continue;
      }
      const kind = item.kind as MetricKind;
      metricKinds.set(String(item.metric), kind);
      variant.metrics.set(String(item.metric), {
        kind,
        sums: { n: Number(item.n ?? 0), sum: Number(item.sum ?? 0), sumSquares: Number(item.sumSquares ?? 0) },
      });
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);

  if (variants.size < 2) {
    throw new ExperimentDataError(
      'NOT_ENOUGH_VARIANTS',
      `experiment "${flag}" has exposures for ${variants.size} variant(s) in ${tableName}; a summary needs at least 2`,
    );
  }
  // Object.fromEntries defines own properties, so a journey named `__proto__` or `constructor` is a metric like any other.
  const summary: ExperimentSummary = {
    flag,
    variants: [...variants.keys()].sort(byControlThenName).map((name) => {
      const variant = variants.get(name)!;
      const metrics = Object.fromEntries(
        [...metricKinds]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([metric, kind]) => {
            const sums = variant.metrics.get(metric)?.sums ?? { n: 0, sum: 0, sumSquares: 0 };
            return [metric, kind === 'conversion' ? { n: variant.users, sum: sums.sum, sumSquares: sums.sumSquares } : sums];
          }),
      );
      return { name, users: variant.users, metrics };
    }),
    ...(stepsSeen.size > 0 ? { stepsSeen: Object.fromEntries([...stepsSeen].sort(([a], [b]) => a.localeCompare(b))) } : {}),
  };
  // Not validated here (zod would be most of the rollout controller's bundle): the report validates what it reads
  // (cli/experiment/summary-input.ts), and the controller's guardrails use only the counts.
  return summary;
}
