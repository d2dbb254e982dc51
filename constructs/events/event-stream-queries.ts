import type { Journey } from '../../domain/journeys/journey-schema';
import { sqlIdentifier, sqlString } from './event-stream-escape';

/**
 * Athena saved queries over the event archive (Glue table columns: see event-stream-catalog.ts).
 * They re-derive from raw events what the journey processor counts online, for ad-hoc analysis and
 * back-fills. Funnels here take each user's first run (first step, then each next step in order
 * within the conversion window); the processor also counts later runs and applies `strict` order,
 * so the dashboard (exact, online) and these (approximate, replayable) can differ slightly.
 */
export interface SavedQuery {
  /** Unique within the workgroup; `<prefix>-` is added by the construct. */
  readonly name: string;
  readonly description: string;
  readonly sql: string;
}

export interface QueryTarget {
  readonly database: string;
  readonly table: string;
  /** How far back the queries look (a partition filter, so Athena reads only those days). @default 30 */
  readonly days?: number;
}

const from = (t: QueryTarget) => `${sqlIdentifier(t.database)}.${sqlIdentifier(t.table)}`;

/** Partition filter on the projected year/month/day columns. */
const recentDays = (days: number) => `concat(year, '-', month, '-', day) >= date_format(current_date - interval '${days}' day, '%Y-%m-%d')`;

const list = (values: readonly string[]) => values.map(sqlString).join(', ');

/** Track events of the given names (plus, optionally, exposures), with a parsed timestamp. */
function eventsCte(t: QueryTarget, eventNames: readonly string[], withExposures: boolean): string {
  const track = eventNames.length > 0 ? `(type = 'track' AND event IN (${list(eventNames)}))` : 'false';
  const filter = withExposures ? `(type = 'exposure' OR ${track})` : track;
  return `events AS (
  SELECT userkey, type, event, featureflags, from_iso8601_timestamp("timestamp") AS ts
  FROM ${from(t)}
  WHERE ${filter} AND ${recentDays(t.days ?? 30)}
)`;
}

const stepCte = (j: number, s: number) => `j${j}_s${s}`;

/**
 * One CTE per step: users who reached it (userkey, reached_at, started_at). Step 0 is the first time
 * a user did the first event; step n the first time after step n-1, within the window from step 0.
 */
function journeyCtes(journey: Journey, j: number): string[] {
  return journey.steps.map((step, s) => {
    if (s === 0) {
      return `${stepCte(j, 0)} AS (
  SELECT userkey, min(ts) AS reached_at, min(ts) AS started_at FROM events WHERE event = ${sqlString(step)} GROUP BY userkey
)`;
    }
    return `${stepCte(j, s)} AS (
  SELECT e.userkey, min(e.ts) AS reached_at, arbitrary(p.started_at) AS started_at
  FROM events e JOIN ${stepCte(j, s - 1)} p ON e.userkey = p.userkey
  WHERE e.event = ${sqlString(step)} AND e.ts >= p.reached_at AND e.ts <= date_add('second', ${journey.conversionWindowSeconds}, p.started_at)
  GROUP BY e.userkey
)`;
  });
}

export function featureUsageQuery(t: QueryTarget): SavedQuery {
  return {
    name: 'feature-usage',
    description: 'Uses and distinct users per feature (track event name), last days first',
    sql: `SELECT event AS feature, count(*) AS uses, count(DISTINCT userkey) AS users
FROM ${from(t)}
WHERE type = 'track' AND ${recentDays(t.days ?? 30)}
GROUP BY event
ORDER BY uses DESC
LIMIT 500`,
  };
}

export function funnelQuery(t: QueryTarget, journey: Journey): SavedQuery {
  const counts = journey.steps
    .map((step, s) => `SELECT ${s + 1} AS step, ${sqlString(step)} AS name, count(*) AS users FROM ${stepCte(0, s)}`)
    .join('\n  UNION ALL ');
  return {
    name: `funnel-${journey.name}`,
    description: `Funnel of journey ${journey.name}: users per step, % of step 1 and drop-off from the previous step`,
    sql: `WITH ${eventsCte(t, journey.steps, false)},
${journeyCtes(journey, 0).join(',\n')},
counts AS (
  ${counts}
)
SELECT step, name, users,
  round(100.0 * users / nullif(first_value(users) OVER (ORDER BY step), 0), 1) AS pct_of_first_step,
  round(100.0 * (lag(users) OVER (ORDER BY step) - users) / nullif(lag(users) OVER (ORDER BY step), 0), 1) AS drop_off_pct
FROM counts
ORDER BY step`,
  };
}

export function timeToConvertQuery(t: QueryTarget, journeys: readonly Journey[]): SavedQuery {
  const steps = [...new Set(journeys.flatMap((j) => j.steps))];
  const ctes = journeys.flatMap((journey, j) => journeyCtes(journey, j));
  const rows = journeys.map((journey, j) => {
    const last = stepCte(j, journey.steps.length - 1);
    const seconds = `date_diff('second', started_at, reached_at)`;
    return `SELECT ${sqlString(journey.name)} AS journey, count(*) AS converted_users,
    approx_percentile(${seconds}, 0.5) AS p50_seconds, approx_percentile(${seconds}, 0.9) AS p90_seconds, avg(${seconds}) AS mean_seconds
  FROM ${last}`;
  });
  return {
    name: 'time-to-convert',
    description: 'Seconds from first to last step per journey: p50, p90, mean',
    sql: `WITH ${eventsCte(t, steps, false)},
${ctes.join(',\n')}
${rows.join('\nUNION ALL\n')}
ORDER BY journey`,
  };
}

/**
 * Per flag and variant: users first exposed, and per journey the users who completed it at or after
 * their first exposure (what the processor's experiment summary counts, see progress-store.ts).
 */
export function experimentSummaryQuery(t: QueryTarget, journeys: readonly Journey[]): SavedQuery {
  const steps = [...new Set(journeys.flatMap((j) => j.steps))];
  const ctes = journeys.flatMap((journey, j) => journeyCtes(journey, j));
  const columns = journeys
    .map(
      (journey, j) =>
        `,\n  count(c${j}.userkey) AS ${sqlIdentifier(`${journey.name}_conversions`)}, round(100.0 * count(c${j}.userkey) / count(*), 2) AS ${sqlIdentifier(`${journey.name}_conversion_pct`)}`,
    )
    .join('');
  const joins = journeys
    .map(
      (journey, j) =>
        `\nLEFT JOIN ${stepCte(j, journey.steps.length - 1)} c${j} ON c${j}.userkey = x.userkey AND c${j}.reached_at >= x.exposed_at`,
    )
    .join('');
  return {
    name: 'experiment-summary',
    description: 'Per experiment flag and variant: exposed users, conversions and conversion % per journey',
    sql: `WITH ${eventsCte(t, steps, true)},
exposures AS (
  SELECT flag_key AS flag, e.userkey, min_by(flag_variant, e.ts) AS variant, min(e.ts) AS exposed_at
  FROM events e CROSS JOIN UNNEST(e.featureflags) AS f(flag_key, flag_variant, flag_provider)
  WHERE e.type = 'exposure'
  GROUP BY flag_key, e.userkey
)${ctes.length > 0 ? `,\n${ctes.join(',\n')}` : ''}
SELECT x.flag, x.variant, count(*) AS users${columns}
FROM exposures x${joins}
GROUP BY x.flag, x.variant
ORDER BY x.flag, x.variant`,
  };
}

/** Every saved query for an archive and its journeys. */
export function savedQueries(t: QueryTarget, journeys: readonly Journey[]): SavedQuery[] {
  return [
    featureUsageQuery(t),
    ...journeys.map((journey) => funnelQuery(t, journey)),
    ...(journeys.length > 0 ? [timeToConvertQuery(t, journeys)] : []),
    experimentSummaryQuery(t, journeys),
  ];
}
