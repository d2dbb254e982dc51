import type { Journey } from '../../domain/journeys/journey-schema';
import { PRODUCT_METRICS as M } from '../../lambdas/journey-processor/contract';
import { searchValue, terraformLiteral } from './event-stream-escape';
import { textWidget, type DashboardWidget } from '../monitoring/monitoring';

/**
 * Product dashboards from the journey processor's EMF metrics (names and dimensions in its contract.ts). Feature names and
 * variants are only known at run time, so the widgets use SEARCH expressions rather than fixed metrics.
 * Widgets are built here rather than with `metricWidget` because search lines carry no metric of their own.
 */
const PERIOD = 300;

interface ExpressionLine {
  readonly id: string;
  readonly expression: string;
  readonly label: string;
  readonly visible?: boolean;
}

function expressionWidget(
  title: string,
  lines: readonly ExpressionLine[],
  options: { view?: 'timeSeries' | 'singleValue' | 'bar'; width?: number; wholeRange?: boolean; stat?: string } = {},
): DashboardWidget {
  return {
    type: 'metric',
    width: options.width ?? 12,
    height: 6,
    properties: {
      title: terraformLiteral(title),
      view: options.view ?? 'timeSeries',
      stacked: false,
      period: PERIOD,
      ...(options.stat ? { stat: options.stat } : {}),
      // Whole-range totals: a funnel or an experiment is read over the dashboard's time range, not per 5 minutes.
      ...(options.wholeRange ? { setPeriodToTimeRange: true } : {}),
      metrics: lines.map((line) => [
        {
          id: line.id,
          expression: terraformLiteral(line.expression),
          ...(line.label ? { label: terraformLiteral(line.label) } : {}),
          ...(line.visible === false ? { visible: false } : {}),
        },
      ]),
    },
  };
}

/** `SEARCH('{ns,dims} MetricName="..." Key="value"', 'stat', 300)`. */
export function searchExpression(
  namespace: string,
  dimensions: readonly string[],
  metricName: string,
  statistic: string,
  filters: Record<string, string> = {},
): string {
  const terms = [`MetricName=${searchValue(metricName)}`, ...Object.entries(filters).map(([key, value]) => `${key}=${searchValue(value)}`)];
  return `SEARCH('{${[namespace, ...dimensions].join(',')}} ${terms.join(' ')}', '${statistic}', ${PERIOD})`;
}

export function featureUsageWidget(namespace: string): DashboardWidget {
  return expressionWidget(
    'Feature usage (events per feature)',
    [{ id: 'features', expression: searchExpression(namespace, M.featureUsed.dimensions, M.featureUsed.name, 'Sum'), label: '' }],
    { width: 24 },
  );
}

/**
 * Two widgets per journey: users reaching each step (all variants summed), and conversion from step 1
 * (`100 * s_n / s_1`) with drop-off between consecutive steps (`100 * (s_n-1 - s_n) / s_n-1`).
 */
export function funnelWidgets(namespace: string, journey: Journey): DashboardWidget[] {
  const steps = journey.steps.map((step, i) => ({
    id: `s${i}`,
    expression: `SUM(${searchExpression(namespace, M.stepReached.dimensions, M.stepReached.name, 'Sum', { Journey: journey.name, Step: step })})`,
    label: `${i + 1}. ${step}`,
  }));
  const hiddenSteps = steps.map((s) => ({ ...s, visible: false }));
  const conversion = journey.steps.slice(1).map((step, i) => ({
    id: `c${i + 1}`,
    expression: `100 * s${i + 1} / s0`,
    label: `${i + 2}. ${step}: % of step 1`,
  }));
  const dropOff = journey.steps.slice(1).map((step, i) => ({
    id: `d${i + 1}`,
    expression: `100 * (s${i} - s${i + 1}) / s${i}`,
    label: `drop-off ${i + 1}→${i + 2} (${journey.steps[i]} → ${step}) %`,
  }));
  return [
    expressionWidget(`Funnel ${journey.name}: users per step`, steps, { view: 'bar', wholeRange: true }),
    expressionWidget(`Funnel ${journey.name}: conversion and drop-off %`, [...hiddenSteps, ...conversion, ...dropOff], {
      view: 'singleValue',
      wholeRange: true,
    }),
  ];
}

export function timeToConvertWidget(namespace: string): DashboardWidget {
  return expressionWidget('Time to convert (seconds, per journey and variant)', [
    { id: 'p50', expression: searchExpression(namespace, M.timeToConvert.dimensions, M.timeToConvert.name, 'p50'), label: 'p50' },
    { id: 'p90', expression: searchExpression(namespace, M.timeToConvert.dimensions, M.timeToConvert.name, 'p90'), label: 'p90' },
  ]);
}

export function experimentWidgets(namespace: string): DashboardWidget[] {
  return [
    expressionWidget(
      'Experiments: users exposed per flag and variant',
      [
        {
          id: 'exposures',
          expression: searchExpression(namespace, M.experimentExposure.dimensions, M.experimentExposure.name, 'Sum'),
          label: '',
        },
      ],
      { view: 'bar', wholeRange: true },
    ),
    expressionWidget(
      'Experiments: conversions per flag, variant and journey',
      [
        {
          id: 'conversions',
          expression: searchExpression(namespace, M.experimentConversion.dimensions, M.experimentConversion.name, 'Sum'),
          label: '',
        },
      ],
      { view: 'bar', wholeRange: true },
    ),
  ];
}

/** The product section of the dashboard, in reading order. */
export function productWidgets(title: string, namespace: string, journeys: readonly Journey[]): DashboardWidget[] {
  return [
    textWidget(`# ${terraformLiteral(title)}`),
    featureUsageWidget(namespace),
    ...journeys.flatMap((journey) => funnelWidgets(namespace, journey)),
    timeToConvertWidget(namespace),
    ...experimentWidgets(namespace),
  ];
}
