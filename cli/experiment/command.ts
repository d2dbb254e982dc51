/**
 * `monoenv experiment report <flag>`: reads per-variant summaries (live from DynamoDB or from a
 * file), analyses them and prints a table, JSON or charts. Bad input exits 2 with a message and a
 * machine-readable code, never a stack trace; a failure to reach AWS exits 1.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseCommandLine, UsageError, usageOf, type CliIo, type CommandSpec, type OptionSpecs } from '../command-line';
import { buildReport, ReportInputError, type JourneyOutline } from './report';
import { renderSvg } from './render-svg';
import { renderText } from './render-text';
import { LiveSourceError, readLiveSummary, resolveLiveSource, type LiveSource } from './live-source';
import { parseReportSummary, type ReportSummary } from './summary-input';
import { DEFAULT_TUNING_PARAMETER } from '../../domain/experiments/statistics';

export const EXPERIMENT_COMMAND = {
  name: 'experiment',
  synopsis: 'report <flag> [options]',
  description:
    "Compares every variant of a flag's experiment with the control (Welch t-test, delta-method\nrelative lift, as GrowthBook does) and checks the traffic split for sample-ratio mismatch.",
  options: {
    metric: { type: 'string', value: 'name', description: 'only this journey or event (default: every metric)' },
    json: { type: 'boolean', description: 'print the report as JSON' },
    sequential: { type: 'boolean', description: 'always-valid intervals: safe to look every day' },
    tuning: {
      type: 'string',
      value: 'n',
      description: `sequential tuning: sample size where intervals are tightest (default ${DEFAULT_TUNING_PARAMETER})`,
    },
    svg: { type: 'string', value: 'path', description: 'also write a forest plot of the lifts as an SVG file' },
    'from-file': { type: 'string', value: 'path', description: 'read the summary from a JSON file instead of DynamoDB' },
    table: {
      type: 'string',
      value: 'name',
      description: 'analytics table (default: $MONOENV_ANALYTICS_TABLE, then .monoenv/local/state.json)',
    },
    region: { type: 'string', value: 'region', description: 'AWS region' },
    endpoint: { type: 'string', value: 'url', description: 'AWS endpoint (e.g. a local moto server)' },
  },
  footer: `--from-file format (the flag argument may then be omitted):
  {
    "flag": "new-checkout",
    "control": "off",
    "weights": { "off": 50, "on": 50 },
    "variants": [
      { "name": "off", "users": 5000,
        "metrics": { "checkout_completed": { "n": 5000, "sum": 600, "sumSquares": 600 } } },
      { "name": "on", "users": 5030,
        "metrics": { "checkout_completed": { "n": 5030, "sum": 680, "sumSquares": 680 } } }
    ]
  }
  "control" defaults to the first variant; "weights" (the expected split) to an equal split.
  Per metric: n units, sum and sum of squares of their values (a conversion: sum = sumSquares =
  converters). Optional: "kind" ("proportion" | "mean" | "ratio"); for a ratio metric
  "denominator": { "sum", "sumSquares" } and "sumProduct" (sum of numerator x denominator).

exit codes: 0 report printed, 2 bad input, 1 could not read the live data.`,
} as const satisfies CommandSpec<OptionSpecs>;

export const HELP = usageOf(EXPERIMENT_COMMAND);

export interface CommandIo extends CliIo {
  /** Reads the live summary; replaceable in tests. */
  readLive(source: LiveSource, flag: string): Promise<unknown>;
  /** The project's journeys, to explain a report without metrics. @default - none known */
  readJourneys?(): readonly JourneyOutline[];
}

/** The journeys of the project in `cwd` (monoenv.config.json's events.journeysDir); none when they cannot be read. */
export function projectJourneys(cwd: string, env: NodeJS.ProcessEnv): readonly JourneyOutline[] {
  try {
    const { loadConfig } = require('../../config/load') as typeof import('../../config/load');
    const { loadJourneys } = require('../../domain/journeys/journey-schema') as typeof import('../../domain/journeys/journey-schema');
    const { config, baseDir } = loadConfig({ cwd, env });
    return loadJourneys(require('node:path').resolve(baseDir, config.events.journeysDir));
  } catch {
    return []; // a hint only: the report itself does not need them
  }
}

class CommandError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: 1 | 2 = 2,
    readonly problems: string[] = [],
  ) {
    super(message);
  }
}

export function run(argv: string[]): Promise<number> {
  return runExperimentCommand(argv, {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    env: process.env,
    cwd: process.cwd(),
    readLive: readLiveSummary,
    readJourneys: () => projectJourneys(process.cwd(), process.env),
  });
}

export async function runExperimentCommand(argv: string[], io: CommandIo): Promise<number> {
  const wantsJson = argv.includes('--json');
  try {
    return await report(argv, io);
  } catch (caught) {
    const err = caught instanceof UsageError ? new CommandError('usage', caught.message) : caught;
    if (!(err instanceof CommandError)) throw err;
    if (wantsJson) {
      io.err(
        JSON.stringify(
          { error: { code: err.code, message: err.message, ...(err.problems.length ? { problems: err.problems } : {}) } },
          null,
          2,
        ),
      );
    } else {
      const [first, ...rest] = err.message.split('\n');
      io.err([`monoenv experiment: ${first} [${err.code}]`, ...rest, ...err.problems.map((p) => `  - ${p}`)].join('\n'));
      if (err.code === 'usage') io.err(`\n${HELP}`);
    }
    return err.exitCode;
  }
}

async function report(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals, help } = parseCommandLine(EXPERIMENT_COMMAND, argv);
  if (help) {
    io.out(HELP);
    return 0;
  }
  const [subcommand, flagArgument, ...extra] = positionals;
  if (subcommand !== 'report') {
    throw new UsageError(subcommand ? `unknown subcommand '${subcommand}'` : 'missing subcommand');
  }
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  const tuningParameter = values.tuning === undefined ? undefined : Number(values.tuning);
  if (tuningParameter !== undefined && !(Number.isFinite(tuningParameter) && tuningParameter > 0)) {
    throw new UsageError(`--tuning must be a positive number, got '${values.tuning}'`);
  }

  const data = values['from-file'] !== undefined ? readSummaryFile(values['from-file']) : await readLive(flagArgument, values, io);
  const parsed = parseReportSummary(data);
  if (!parsed.ok) throw new CommandError('invalid-summary', 'the experiment summary is invalid', 2, parsed.problems);
  const summaryData: ReportSummary = parsed.summary;
  if (flagArgument !== undefined && flagArgument !== summaryData.flag) {
    throw new CommandError('flag-mismatch', `asked for flag '${flagArgument}' but the summary is for '${summaryData.flag}'`);
  }

  let built;
  try {
    built = buildReport(summaryData, {
      metric: values.metric,
      sequential: values.sequential,
      tuningParameter,
      journeys: io.readJourneys?.(),
    });
  } catch (err) {
    if (err instanceof ReportInputError) throw new CommandError(err.code, err.message);
    throw err;
  }
  io.out(values.json ? JSON.stringify(built, null, 2) : renderText(built));
  if (values.svg !== undefined) {
    try {
      writeFileSync(values.svg, renderSvg(built));
    } catch (err) {
      throw new CommandError('svg-not-written', `cannot write ${values.svg}: ${(err as Error).message}`);
    }
    io.err(`wrote ${values.svg}`);
  }
  return 0;
}

function readSummaryFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CommandError(
      code === 'ENOENT' ? 'file-not-found' : 'file-unreadable',
      code === 'ENOENT' ? `no such file: ${path}` : `cannot read ${path}: ${(err as Error).message}`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new CommandError('invalid-json', `${path} is not valid JSON: ${(err as Error).message}`);
  }
}

async function readLive(
  flag: string | undefined,
  values: { table?: string; region?: string; endpoint?: string },
  io: CommandIo,
): Promise<unknown> {
  if (!flag) throw new UsageError('missing <flag> (or pass --from-file <path>)');
  let source: LiveSource;
  try {
    source = resolveLiveSource(values, io.env, io.cwd);
  } catch (err) {
    if (err instanceof LiveSourceError) throw new CommandError(err.code, err.message);
    throw err;
  }
  try {
    return await io.readLive(source, flag);
  } catch (err) {
    if (err instanceof LiveSourceError) throw new CommandError(err.code, err.message, 1);
    // The reader's own "the data cannot form a summary" (e.g. fewer than 2 variants) is bad input, not an outage.
    if ((err as Error).name === 'ExperimentDataError')
      throw new CommandError(String((err as { code?: unknown }).code ?? 'invalid-summary'), (err as Error).message);
    const name = (err as Error).name && (err as Error).name !== 'Error' ? `${(err as Error).name}: ` : '';
    throw new CommandError(
      'read-failed',
      `cannot read '${flag}' from table ${source.tableName}${source.endpoint ? ` at ${source.endpoint}` : ''}: ${name}${(err as Error).message}`,
      1,
    );
  }
}
