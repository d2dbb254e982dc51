import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HELP, run, runExperimentCommand, type CommandIo } from '../../../cli/experiment/command';
import type { LiveSource } from '../../../cli/experiment/live-source';
import { main, usage } from '../../../cli/main';
import { runningState } from '../../support/local-fixtures';
import { tempDir } from '../../support/temp';

const goodSummary = {
  flag: 'new-checkout',
  control: 'off',
  variants: [
    {
      name: 'off',
      users: 3407,
      metrics: { seconds: { n: 3407, sum: 1396.87, sumSquares: 52377.9767 }, checkout: { n: 3407, sum: 400, sumSquares: 400 } },
    },
    {
      name: 'on',
      users: 3461,
      metrics: { seconds: { n: 3461, sum: 2422.7, sumSquares: 134698.29 }, checkout: { n: 3461, sum: 480, sumSquares: 480 } },
    },
  ],
};

let dir: string;
beforeEach(() => {
  dir = tempDir('monoenv-experiment-');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
  liveCalls: Array<{ source: LiveSource; flag: string }>;
}

async function runWith(argv: string[], overrides: Partial<CommandIo> = {}): Promise<Outcome> {
  const out: string[] = [];
  const err: string[] = [];
  const liveCalls: Outcome['liveCalls'] = [];
  const code = await runExperimentCommand(argv, {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    env: {},
    cwd: dir,
    readLive: async (source, flag) => {
      liveCalls.push({ source, flag });
      return goodSummary;
    },
    ...overrides,
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n'), liveCalls };
}

describe('monoenv experiment report without metrics', () => {
  it('exits 2 with no-metrics, naming the steps that never arrived from the project journeys', async () => {
    const summaryWithoutMetrics = {
      flag: 'new-checkout',
      variants: [
        { name: 'off', users: 3, metrics: {} },
        { name: 'on', users: 2, metrics: {} },
      ],
      stepsSeen: { checkout: ['checkout_started'] },
    };
    const { code, stderr } = await runWith(['report', 'new-checkout', '--table', 't'], {
      readLive: async () => summaryWithoutMetrics,
      readJourneys: () => [{ name: 'checkout', steps: ['cart_viewed', 'checkout_started'], order: 'sequential' }],
    });
    expect(code).toBe(2);
    expect(stderr).toContain('[no-metrics]');
    expect(stderr).toContain(
      'checkout (sequential): seen checkout_started; missing cart_viewed (the journey starts with cart_viewed: send it first)',
    );
  });
});

describe('monoenv experiment report --from-file', () => {
  it('prints the table and exits 0', async () => {
    const { code, stdout, stderr } = await runWith(['report', '--from-file', file('s.json', goodSummary)]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(/^Experiment new-checkout {2}· {2}control: off/);
    expect(stdout).toMatch(
      /^on\s+3,461\s+0\.7\s+\+0\.29 \[\+0\.0454, \+0\.535\]\s+\+70\.7% \[-3\.53%, \+145\.0%\]\s+0\.062\s+not significant$/m,
    );
  });

  it('prints JSON with --json, restricted to --metric', async () => {
    const { code, stdout } = await runWith([
      'report',
      'new-checkout',
      '--from-file',
      file('s.json', goodSummary),
      '--json',
      '--metric',
      'seconds',
    ]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.metrics.map((m: { metric: string }) => m.metric)).toEqual(['seconds']);
    const treatment = report.metrics[0].variants[1];
    expect(treatment.relative.estimate).toBeCloseTo(0.70732, 5);
    expect(treatment.relative.pValue).toBeCloseTo(0.06191, 5);
    expect(treatment.absolute.ci[1]).toBeCloseTo(0.53462, 5);
    expect(treatment.verdict.code).toBe('not-significant');
    expect(report.srm.mismatch).toBe(false);
  });

  it('uses always-valid intervals with --sequential and --tuning', async () => {
    const { stdout } = await runWith(['report', '--from-file', file('s.json', goodSummary), '--json', '--sequential', '--tuning', '1000']);
    const report = JSON.parse(stdout);
    expect(report.method).toEqual({ test: 'sequential', alpha: 0.05, tuningParameter: 1000 });
    const fixed = JSON.parse((await runWith(['report', '--from-file', file('s.json', goodSummary), '--json'])).stdout);
    const width = (r: { metrics: Array<{ variants: Array<{ relative?: { ci: number[] } }> }> }) =>
      r.metrics[0].variants[1].relative!.ci[1] - r.metrics[0].variants[1].relative!.ci[0];
    expect(width(report)).toBeGreaterThan(width(fixed));
  });

  it('writes an SVG chart with --svg', async () => {
    const svgPath = join(dir, 'lift.svg');
    const { code, stderr } = await runWith(['report', '--from-file', file('s.json', goodSummary), '--svg', svgPath]);
    expect(code).toBe(0);
    expect(stderr).toBe(`wrote ${svgPath}`);
    expect(readFileSync(svgPath, 'utf8')).toContain('seconds · on');
  });

  it.each([
    ['a missing file', () => ['report', '--from-file', join(dir, 'nope.json')], 'file-not-found', /no such file: .*nope\.json/],
    ['invalid JSON', () => ['report', '--from-file', file('bad.json', '{"flag": ')], 'invalid-json', /bad\.json is not valid JSON/],
    [
      'an unknown metric',
      () => ['report', '--from-file', file('s.json', goodSummary), '--metric', 'refunds'],
      'unknown-metric',
      /unknown metric 'refunds'; 'new-checkout' has: checkout, seconds/,
    ],
    [
      'a different flag',
      () => ['report', 'other-flag', '--from-file', file('s.json', goodSummary)],
      'flag-mismatch',
      /asked for flag 'other-flag'/,
    ],
    ['an unknown option', () => ['report', '--from-file', file('s.json', goodSummary), '--colour'], 'usage', /Unknown option '--colour'/],
    [
      'a bad --tuning',
      () => ['report', '--from-file', file('s.json', goodSummary), '--tuning', 'many'],
      'usage',
      /--tuning must be a positive number/,
    ],
    ['an unknown subcommand', () => ['summarise'], 'usage', /unknown subcommand 'summarise'/],
  ])('rejects %s with exit 2 and a clear message', async (_name, argv, code, message) => {
    const outcome = await runWith(argv());
    expect(outcome.code).toBe(2);
    expect(outcome.stdout).toBe('');
    expect(outcome.stderr).toMatch(message);
    expect(outcome.stderr).toContain(`[${code}]`);
    expect(outcome.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('names the fields of schema errors', async () => {
    const broken = structuredClone(goodSummary) as { variants: Array<Record<string, unknown>> };
    (broken.variants[1].metrics as Record<string, { n: number }>).seconds.n = -1;
    broken.variants[0].users = 'many';
    const { code, stderr } = await runWith(['report', '--from-file', file('s.json', broken)]);
    expect(code).toBe(2);
    expect(stderr).toContain('the experiment summary is invalid [invalid-summary]');
    expect(stderr).toContain('  - variants[0].users: ');
    expect(stderr).toContain('  - variants[1].metrics.seconds.n: ');
  });

  it('rejects fewer than 2 variants, a control that is not a variant and incomplete ratio data', async () => {
    const one = { ...goodSummary, variants: goodSummary.variants.slice(0, 1) };
    expect((await runWith(['report', '--from-file', file('one.json', one)])).stderr).toContain(
      'variants: at least 2 variants are needed to compare',
    );
    const noControl = { ...goodSummary, control: 'baseline' };
    expect((await runWith(['report', '--from-file', file('c.json', noControl)])).stderr).toContain(
      "control: 'baseline' is not one of the variants (off, on)",
    );
    const ratio = structuredClone(goodSummary) as { variants: Array<{ metrics: Record<string, Record<string, unknown>> }> };
    ratio.variants[0].metrics.seconds.denominator = { sum: 10, sumSquares: 20 };
    const outcome = await runWith(['report', '--from-file', file('r.json', ratio)]);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain('variants[0].metrics.seconds.sumProduct: a ratio metric needs both denominator and sumProduct');
    expect(outcome.stderr).toContain('variants[1].metrics.seconds.denominator: other variants give this metric a denominator');
  });

  it('reports errors as JSON with --json', async () => {
    const { code, stderr } = await runWith(['report', '--json', '--from-file', join(dir, 'nope.json')]);
    expect(code).toBe(2);
    expect(JSON.parse(stderr)).toEqual({ error: { code: 'file-not-found', message: expect.stringContaining('no such file') } });
  });

  it('prints help with --help', async () => {
    const { code, stdout } = await runWith(['report', '--help']);
    expect(code).toBe(0);
    expect(stdout).toBe(HELP);
    expect(HELP).toContain('--from-file format');
  });
});

describe('monoenv experiment report (live)', () => {
  it('reads the table named by --table, with --region and --endpoint', async () => {
    const { code, liveCalls } = await runWith([
      'report',
      'new-checkout',
      '--table',
      'analytics',
      '--region',
      'eu-west-1',
      '--endpoint',
      'http://127.0.0.1:5000',
    ]);
    expect(code).toBe(0);
    expect(liveCalls).toEqual([
      {
        flag: 'new-checkout',
        source: { tableName: 'analytics', region: 'eu-west-1', endpoint: 'http://127.0.0.1:5000', localCredentials: true },
      },
    ]);
  });

  it('takes the table from MONOENV_ANALYTICS_TABLE before the local state file', async () => {
    mkdirSync(join(dir, '.monoenv', 'local'), { recursive: true });
    writeFileSync(
      join(dir, '.monoenv', 'local', 'state.json'),
      JSON.stringify(runningState({ analyticsTable: 'local-analytics', awsEndpoint: 'http://127.0.0.1:4566', region: 'us-east-1' })),
    );
    const fromEnv = await runWith(['report', 'new-checkout'], {
      env: { MONOENV_ANALYTICS_TABLE: 'env-analytics', AWS_REGION: 'us-west-2' },
    });
    expect(fromEnv.liveCalls[0].source).toEqual({
      tableName: 'env-analytics',
      region: 'us-west-2',
      endpoint: undefined,
      localCredentials: false,
    });
    const fromState = await runWith(['report', 'new-checkout']);
    expect(fromState.liveCalls[0].source).toEqual({
      tableName: 'local-analytics',
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:4566',
      localCredentials: true,
    });
  });

  it('exits 2 when no table is known', async () => {
    const { code, stderr, liveCalls } = await runWith(['report', 'new-checkout']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/no analytics table: pass --table <name>.*\[no-table\]/);
    expect(liveCalls).toEqual([]);
  });

  it('exits 2 for a missing flag argument', async () => {
    const { code, stderr } = await runWith(['report', '--table', 't']);
    expect(code).toBe(2);
    expect(stderr).toContain('missing <flag> (or pass --from-file <path>) [usage]');
  });

  it('exits 1 with the cause when the table cannot be read', async () => {
    const failing = async () => {
      const e = new Error('Requested resource not found');
      e.name = 'ResourceNotFoundException';
      throw e;
    };
    const { code, stderr } = await runWith(['report', 'new-checkout', '--table', 'gone'], { readLive: failing });
    expect(code).toBe(1);
    expect(stderr).toBe(
      "monoenv experiment: cannot read 'new-checkout' from table gone: ResourceNotFoundException: Requested resource not found [read-failed]",
    );
  });

  it('validates what the live reader returns like a file', async () => {
    const { code, stderr } = await runWith(['report', 'new-checkout', '--table', 't'], {
      readLive: async () => ({ flag: 'new-checkout', variants: [] }),
    });
    expect(code).toBe(2);
    expect(stderr).toContain('variants: at least 2 variants are needed to compare');
  });
});

describe('wiring', () => {
  it('is listed with its summary, exports the run the dispatcher needs, and main routes to it', async () => {
    expect(usage()).toMatch(/^ {2}experiment +.*sample-ratio/m);
    expect(typeof run).toBe('function');
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const code = await main(['experiment', 'report', '--from-file', file('s.json', goodSummary), '--json']);
      expect(code).toBe(0);
      expect(JSON.parse(String(write.mock.calls[0][0])).flag).toBe('new-checkout');
    } finally {
      write.mockRestore();
    }
  });
});
