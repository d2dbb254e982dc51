import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod/mini';
import { EXPOSURE_EVENT } from '../events/event-record';
import '../zod-english';

/**
 * Journeys as code: one `journeys/<name>.json` per funnel, validated at synth (`loadJourneys`) and
 * again when the Lambda starts (`parseJourneys` on the `JOURNEYS` env value).
 *
 * Order semantics (see funnel.ts for the code):
 * - `sequential`: steps must be reached in order; other events, and other journey steps, may come
 *   between. A step whose predecessor has not been reached yet does not count; repeats do not count.
 * - `strict`: the next step must be the very next journey step of this journey. Any other step of the
 *   journey (skipping ahead, going back) breaks the run: progress is dropped, and if that step is the
 *   first step a new run starts from it. A repeat of the step just reached is ignored (double fires).
 *   Events that are not steps of the journey never break a run.
 * In both, a run older than `conversionWindowSeconds` (first step to now) restarts.
 */

/** Journey names become metric dimension values, DynamoDB sort keys and metric names (`<name>.seconds_to_convert`). */
const JOURNEY_NAME = /^[A-Za-z0-9_-]{1,64}$/;

const stepSchema = z.string().check(
  z.minLength(1, 'a step (event name) must not be empty'),
  z.maxLength(255, 'a step (event name) must be at most 255 characters'),
  z.refine((s) => s.trim() === s, 'a step must not start or end with whitespace'),
  z.refine((s) => s !== EXPOSURE_EVENT, `"${EXPOSURE_EVENT}" is reserved for exposures and cannot be a step`),
);

export const journeySchema = z.strictObject({
  name: z.string().check(z.regex(JOURNEY_NAME, 'must be 1-64 characters of A-Z a-z 0-9 _ - (it is a metric dimension and key)')),
  steps: z.array(stepSchema).check(
    z.minLength(2, 'a journey needs at least two steps'),
    z.superRefine((steps, ctx) => {
      const seen = new Set<string>();
      for (const [i, step] of steps.entries()) {
        if (seen.has(step)) ctx.addIssue({ code: 'custom', path: [i], message: `duplicate step "${step}"`, input: step });
        seen.add(step);
      }
    }),
  ),
  conversionWindowSeconds: z
    .number()
    .check(z.refine(Number.isInteger, 'must be a whole number of seconds'), z.positive('must be positive')),
  order: z._default(z.enum(['sequential', 'strict']), 'sequential'),
  /**
   * Flag key whose variant splits this journey's metrics. @default - the variant of the user's
   * earliest experiment exposure ('none' when there is none)
   */
  experiment: z.optional(z.string().check(z.minLength(1))),
});

export type Journey = z.output<typeof journeySchema>;
export type JourneyInput = z.input<typeof journeySchema>;

/** A journey with the file it came from, for messages. */
interface SourcedValue {
  readonly source: string;
  readonly value: unknown;
}

function describeIssue(source: string, value: unknown, issue: z.core.$ZodIssue): string {
  const name =
    typeof value === 'object' && value && typeof (value as { name?: unknown }).name === 'string'
      ? (value as { name: string }).name
      : '(unnamed)';
  const field = issue.path.length > 0 ? issue.path.join('.') : '(journey)';
  return `${source}: journey "${name}": ${field}: ${issue.message}`;
}

/** Validates journeys from any origin; throws one Error listing every issue. */
export function validateJourneys(values: readonly SourcedValue[]): Journey[] {
  const issues: string[] = [];
  const journeys: Journey[] = [];
  const sourceByName = new Map<string, string>();
  for (const { source, value } of values) {
    const parsed = journeySchema.safeParse(value);
    if (!parsed.success) {
      issues.push(...parsed.error.issues.map((issue) => describeIssue(source, value, issue)));
      continue;
    }
    const first = sourceByName.get(parsed.data.name);
    if (first !== undefined) {
      issues.push(`${source}: journey "${parsed.data.name}": name: duplicate journey name (also in ${first})`);
      continue;
    }
    sourceByName.set(parsed.data.name, source);
    journeys.push(parsed.data);
  }
  if (issues.length > 0) throw new Error(`Invalid journeys (${issues.length} issue(s)):\n  ${issues.join('\n  ')}`);
  return journeys;
}

/** Reads and validates every `*.json` in `dir` (sorted by file name). Used at synth. */
export function loadJourneys(dir: string): Journey[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  const values: SourcedValue[] = [];
  const issues: string[] = [];
  for (const file of files) {
    const path = join(dir, file);
    try {
      values.push({ source: path, value: JSON.parse(readFileSync(path, 'utf8')) });
    } catch (err) {
      issues.push(`${path}: not valid JSON: ${(err as Error).message}`);
    }
  }
  if (issues.length > 0) throw new Error(`Invalid journeys (${issues.length} issue(s)):\n  ${issues.join('\n  ')}`);
  return validateJourneys(values);
}

/** The value for the Lambda's `JOURNEYS` environment variable (compact JSON array). */
export const serializeJourneys = (journeys: readonly Journey[]): string => JSON.stringify(journeys);

/** Parses the `JOURNEYS` env value the construct set from `serializeJourneys`. */
export function parseJourneys(json: string | undefined, source = 'JOURNEYS'): Journey[] {
  if (json === undefined || json.trim() === '') throw new Error(`${source} is not set: it must hold the journeys as a JSON array`);
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    throw new Error(`${source} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  if (!Array.isArray(value)) throw new Error(`${source} must be a JSON array of journeys`);
  return validateJourneys(value.map((v, i) => ({ source: `${source}[${i}]`, value: v })));
}
