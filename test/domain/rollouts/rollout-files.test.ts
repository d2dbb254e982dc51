import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FlagDocument } from '../../../domain/flags/evaluator';
import { loadRolloutDir, RolloutDirError } from '../../../domain/rollouts/rollout-files';
import { tempDir } from '../../support/temp';

const flags = {
  flags: {
    'new-checkout': {
      state: 'ENABLED',
      variants: { on: true, off: false },
      defaultVariant: 'off',
      targeting: { fractional: [{ var: 'targetingKey' }, ['on', 50], ['off', 50]] },
    },
    'kill-switch': { state: 'DISABLED', variants: { on: true, off: false }, defaultVariant: 'off' },
  },
} as unknown as FlagDocument;
const context = { flags, journeys: ['checkout'], services: ['web'] };

let dir: string;
beforeEach(() => {
  dir = tempDir('monoenv-rollouts-');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, content: unknown) =>
  writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
const issuesOf = (): string[] => {
  try {
    loadRolloutDir(dir, context);
  } catch (error) {
    expect(error).toBeInstanceOf(RolloutDirError);
    return [...(error as RolloutDirError).issues];
  }
  throw new Error('expected the folder to be refused');
};

const plan = { variant: 'on', safeVariant: 'off', steps: [1, 5, 25, 50, 100], guardrails: { journeys: { checkout: {} } } };

describe('rollout files', () => {
  it('a missing folder means no plans and no schedules', () => {
    expect(loadRolloutDir(join(dir, 'absent'), context)).toEqual({ plans: [], schedules: [] });
  });

  it('resolves defaults and per-step overrides', () => {
    write('checkout.json', {
      rollouts: { 'new-checkout': { ...plan, steps: [{ percent: 1, minMinutes: 5, minUsers: 10 }, 50, 100], minStepMinutes: 30 } },
      schedules: [{ flag: 'kill-switch', at: '2026-12-24T07:00:00+01:00', change: 'enable' }],
    });
    const { plans, schedules } = loadRolloutDir(dir, context);
    expect(plans).toEqual([
      {
        flag: 'new-checkout',
        variant: 'on',
        safeVariant: 'off',
        steps: [
          { percent: 1, minMinutes: 5, minUsers: 10 },
          { percent: 50, minMinutes: 30, minUsers: 100 },
          { percent: 100, minMinutes: 30, minUsers: 100 },
        ],
        guardrails: { journeys: { checkout: { maxRelativeDrop: 0.05 } }, maxFlagErrorRate: 0.01 },
        alpha: 0.05,
      },
    ]);
    // Stored in UTC, whatever offset the file used.
    expect(schedules).toEqual([{ flag: 'kill-switch', at: '2026-12-24T06:00:00.000Z', change: { change: 'enable' } }]);
  });

  it('names the file and the field of each structural issue', () => {
    write('a.json', { rollouts: { 'new-checkout': { ...plan, steps: [5, 1], alpha: 2, stepz: 1 } } });
    const issues = issuesOf();
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^a\.json rollouts\.new-checkout\.alpha: /),
        expect.stringMatching(/^a\.json rollouts\.new-checkout: .*stepz/),
      ]),
    );
  });

  it('refuses steps that do not increase, and a safe variant equal to the variant', () => {
    write('a.json', { rollouts: { 'new-checkout': { ...plan, safeVariant: 'on', steps: [5, 1] } } });
    expect(issuesOf()).toEqual(
      expect.arrayContaining([
        'a.json rollouts.new-checkout.safeVariant: must differ from variant',
        'a.json rollouts.new-checkout.steps.1: steps must increase (1 after 5)',
      ]),
    );
  });

  it('checks what a plan names against the flags, journeys and services', () => {
    write('a.json', {
      rollouts: {
        'new-checkout': { ...plan, variant: 'maybe', guardrails: { journeys: { signup: {} }, service: { name: 'api' } } },
        'kill-switch': plan,
        ghost: plan,
      },
    });
    expect(issuesOf().sort()).toEqual([
      'a.json rollouts.ghost.flag: not defined in the flag files',
      'a.json rollouts.kill-switch.flag: has no fractional rule in its targeting for the rollout to set weights on',
      'a.json rollouts.new-checkout.guardrails.journeys.signup: no such journey (checkout)',
      "a.json rollouts.new-checkout.guardrails.service.name: no service 'api' in the config (web)",
      "a.json rollouts.new-checkout.variant: 'maybe' is not a variant of the flag (on, off)",
    ]);
  });

  it('refuses a second plan for a flag in another file', () => {
    write('a.json', { rollouts: { 'new-checkout': plan } });
    write('b.json', { rollouts: { 'new-checkout': plan } });
    expect(issuesOf()).toEqual(["b.json rollouts.new-checkout: flag 'new-checkout' already has a plan in a.json"]);
  });

  it('checks scheduled changes: time with an offset, known flag and variants, weights on a fractional rule', () => {
    write('a.json', { schedules: [{ flag: 'kill-switch', at: '2026-12-24 06:00', change: 'enable' }] });
    write('b.json', {
      schedules: [
        { flag: 'ghost', at: '2026-12-24T06:00:00Z', change: 'disable' },
        { flag: 'new-checkout', at: '2026-12-24T06:00:00Z', change: 'set-default', variant: 'maybe' },
        { flag: 'kill-switch', at: '2026-12-24T06:00:00Z', change: 'set-weights', weights: { on: 1 } },
        { flag: 'new-checkout', at: '2026-12-24T06:00:00Z', change: 'set-weights', weights: { on: 0, off: 0 } },
      ],
    });
    const issues = issuesOf();
    expect(issues[0]).toMatch(/^a\.json schedules\.0\.at: /);
    expect(issues.slice(1)).toEqual([
      "b.json schedules.0: flag 'ghost' is not defined in the flag files",
      "b.json schedules.1: 'maybe' is not a variant of flag 'new-checkout' (on, off)",
      "b.json schedules.2: flag 'kill-switch' has no fractional rule in its targeting to set weights on",
      'b.json schedules.3: at least one weight must be above 0',
    ]);
  });

  it('reports a file that is not JSON', () => {
    write('a.json', '{ nope');
    expect(issuesOf()[0]).toMatch(/^a\.json: not valid JSON/);
  });

  it('the repository rollouts/ folder is valid against the repository flags', () => {
    // The stack synthesizes it; here the failure names the file and field at once.
    const { loadFlagDir } = require('../../../domain/flags/flag-files') as typeof import('../../../domain/flags/flag-files');
    const repo = join(__dirname, '..', '..', '..');
    const result = loadRolloutDir(join(repo, 'rollouts'), {
      flags: loadFlagDir(join(repo, 'flags')).document,
      journeys: ['checkout', 'onboarding'],
      services: ['web'],
    });
    expect(result.plans.map((p) => p.flag)).toContain('new-checkout');
  });
});
