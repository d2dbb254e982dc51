import { searchExpression, funnelWidgets } from '../../../constructs/events/event-stream-dashboards';
import { searchValue, sqlString, terraformLiteral } from '../../../constructs/events/event-stream-escape';
import {
  experimentSummaryQuery,
  featureUsageQuery,
  funnelQuery,
  savedQueries,
  timeToConvertQuery,
} from '../../../constructs/events/event-stream-queries';
import { archiveLifecycleRules } from '../../../constructs/events/event-stream-archive';
import type { Journey } from '../../../domain/journeys/journey-schema';

const target = { database: 'shop_analytics', table: 'events' };
const checkout: Journey = {
  name: 'checkout',
  steps: ['cart_viewed', 'checkout_started', 'order_completed'],
  conversionWindowSeconds: 3600,
  order: 'sequential',
};
const signup: Journey = { name: 'signup', steps: ['visited', 'signed_up'], conversionWindowSeconds: 60, order: 'strict' };
const PARTITION_FILTER = "concat(year, '-', month, '-', day) >= date_format(current_date - interval '30' day, '%Y-%m-%d')";

describe('escaping', () => {
  it('doubles $ and % before { for Terraform, and nothing else', () => {
    expect(terraformLiteral('a ${b} %{c} $d %e {f}')).toBe('a $${b} %%{c} $d %e {f}');
  });

  it('quotes SQL strings and CloudWatch search values', () => {
    expect(sqlString("it's")).toBe("'it''s'");
    expect(searchValue(`say "hi" it's \\`)).toBe(`"say \\"hi\\" it\\'s \\\\"`);
  });
});

describe('saved queries', () => {
  it('reads only recent partitions of the events table', () => {
    const sql = featureUsageQuery(target).sql;
    expect(sql).toContain('FROM "shop_analytics"."events"');
    expect(sql).toContain(PARTITION_FILTER);
    expect(featureUsageQuery({ ...target, days: 7 }).sql).toContain("interval '7' day");
  });

  it('builds a funnel with one CTE per step, each after the previous within the conversion window', () => {
    const sql = funnelQuery(target, checkout).sql;
    expect(sql).toContain("event IN ('cart_viewed', 'checkout_started', 'order_completed')");
    expect(sql).toContain(
      "FROM events e JOIN j0_s1 p ON e.userkey = p.userkey\n  WHERE e.event = 'order_completed' AND e.ts >= p.reached_at AND e.ts <= date_add('second', 3600, p.started_at)",
    );
    expect(sql).toContain("SELECT 3 AS step, 'order_completed' AS name, count(*) AS users FROM j0_s2");
    expect(sql).toMatch(/first_value\(users\) OVER \(ORDER BY step\)[\s\S]*lag\(users\) OVER \(ORDER BY step\)/);
    expect(funnelQuery(target, checkout).name).toBe('funnel-checkout');
  });

  it('measures time to convert per journey from its last step', () => {
    const sql = timeToConvertQuery(target, [checkout, signup]).sql;
    expect(sql).toContain("SELECT 'checkout' AS journey");
    expect(sql).toMatch(/approx_percentile\(date_diff\('second', started_at, reached_at\), 0\.9\) AS p90_seconds[\s\S]*FROM j0_s2/);
    expect(sql).toMatch(/FROM j1_s1/);
  });

  it('summarises experiments per flag and variant with a conversion column per journey', () => {
    const sql = experimentSummaryQuery(target, [checkout, signup]).sql;
    expect(sql).toContain("(type = 'exposure' OR (type = 'track' AND event IN (");
    expect(sql).toContain('CROSS JOIN UNNEST(e.featureflags) AS f(flag_key, flag_variant, flag_provider)');
    expect(sql).toContain('LEFT JOIN j0_s2 c0 ON c0.userkey = x.userkey AND c0.reached_at >= x.exposed_at');
    expect(sql).toContain('LEFT JOIN j1_s1 c1 ON');
    expect(sql).toContain('count(c1.userkey) AS "signup_conversions"');
    const withoutJourneys = experimentSummaryQuery(target, []).sql;
    expect(withoutJourneys).not.toContain('LEFT JOIN');
    expect(withoutJourneys).toContain("(type = 'exposure' OR false)");
  });

  it('has a funnel per journey and time to convert only when there are journeys', () => {
    expect(savedQueries(target, [checkout, signup]).map((q) => q.name)).toEqual([
      'feature-usage',
      'funnel-checkout',
      'funnel-signup',
      'time-to-convert',
      'experiment-summary',
    ]);
    expect(savedQueries(target, []).map((q) => q.name)).toEqual(['feature-usage', 'experiment-summary']);
  });

  it('quotes step names inside SQL', () => {
    const sql = funnelQuery(target, { ...signup, steps: ["o'clock", 'done'] }).sql;
    expect(sql).toContain("WHERE event = 'o''clock'");
  });
});

describe('dashboards', () => {
  it('writes SEARCH expressions with the dimension set and filters', () => {
    expect(searchExpression('Monoenv/Product', ['Flag', 'Variant'], 'ExperimentExposure', 'Sum', { Flag: 'new-checkout' })).toBe(
      `SEARCH('{Monoenv/Product,Flag,Variant} MetricName="ExperimentExposure" Flag="new-checkout"', 'Sum', 300)`,
    );
  });

  it('sums each funnel step over variants and reads the funnel over the whole time range', () => {
    const [counts, rates] = funnelWidgets('NS', signup);
    expect(counts.properties).toMatchObject({ title: 'Funnel signup: users per step', setPeriodToTimeRange: true });
    const lines = (rates.properties.metrics as { id: string; expression: string; label?: string }[][]).map((m) => m[0]);
    expect(lines.map((l) => l.id)).toEqual(['s0', 's1', 'c1', 'd1']);
    expect(lines[2]).toMatchObject({ expression: '100 * s1 / s0', label: '2. signed_up: % of step 1' });
    expect(lines[3]).toMatchObject({ expression: '100 * (s0 - s1) / s0', label: 'drop-off 1→2 (visited → signed_up) %' });
  });
});

describe('archive lifecycle', () => {
  it('adds each transition only when objects outlive it', () => {
    const tiers = (days: number) => archiveLifecycleRules(days, 30)[0].transition;
    expect(tiers(30)).toEqual([]);
    expect(tiers(31)).toEqual([{ days: 30, storageClass: 'STANDARD_IA' }]);
    expect(tiers(91)).toEqual([
      { days: 30, storageClass: 'STANDARD_IA' },
      { days: 90, storageClass: 'GLACIER_IR' },
    ]);
  });
});
