import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { run } from '../../../cli/flags/command';
import { RolloutCommandError, runRolloutAction, type RolloutContext } from '../../../cli/flags/rollouts';
import type { FlagDefinition, FlagDocument } from '../../../domain/flags/evaluator';
import { fractionalWeights } from '../../../domain/flags/flag-edits';
import { readFlag, readHistory, updateFlag, writeFlagDocument } from '../../../domain/flags/flag-table';
import type { GuardrailReading } from '../../../domain/rollouts/guardrails';
import { resolvePlan, rolloutPlanSchema } from '../../../domain/rollouts/rollout-plan';
import { advancedState } from '../../../domain/rollouts/rollout-state';
import { putState, readRollout, readSchedules, writePlan } from '../../../domain/rollouts/rollout-table';
import { createPkSkTable, describeWithMoto, motoClientConfig } from '../../support/moto';

const split = (): FlagDefinition => ({
  state: 'ENABLED',
  variants: { off: false, on: true },
  defaultVariant: 'off',
  targeting: {
    fractional: [
      ['off', 100],
      ['on', 0],
    ],
  },
});

const FLAGS = ['start-flag', 'status-flag', 'pause-flag', 'abort-flag', 'schedule-flag', 'race-flag', 'race-flag-2', 'no-plan-flag'];
const planFor = (flag: string) =>
  resolvePlan(
    flag,
    rolloutPlanSchema.parse({ variant: 'on', safeVariant: 'off', steps: [10, 50, 100], guardrails: { journeys: { checkout: {} } } }),
  );

describeWithMoto('monoenv flags rollout and schedule, on DynamoDB (moto)', (moto) => {
  const table = 'flags-rollout-cli-test';
  let documents: DynamoDBDocumentClient;
  // The CLI's clock: fixed, so no test depends on the day it runs.
  let now = new Date('2030-01-01T00:00:00.000Z');

  const cli = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await run(
      [...argv, '--table', table, '--endpoint', moto().endpoint, '--region', 'us-east-1', '--actor', 'alice@example.com'],
      { out: (t) => out.push(t), err: (t) => err.push(t), now: () => now },
    );
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  const weightsOf = async (flag: string) => fractionalWeights((await readFlag(documents, table, flag)).definition);

  beforeAll(async () => {
    const dynamo = new DynamoDBClient(motoClientConfig(moto().endpoint));
    await createPkSkTable(dynamo, table);
    documents = DynamoDBDocumentClient.from(dynamo);
    const doc: FlagDocument = { flags: Object.fromEntries(FLAGS.map((flag) => [flag, split()])) };
    await writeFlagDocument(documents, table, doc);
    for (const flag of FLAGS.filter((f) => f !== 'no-plan-flag')) await writePlan(documents, table, planFor(flag));
  });

  beforeEach(() => {
    now = new Date('2030-01-01T00:00:00.000Z');
  });

  it('start writes the first step split and the running state in one go, audited as rollout-start', async () => {
    const { code, out } = await cli('rollout', 'start', 'start-flag');
    expect(code).toBe(0);
    expect(out).toMatch(/rollout of start-flag started by alice@example.com: step 1 at 10%, split on=10 off=90 \(flag version 2\)/);

    expect(await weightsOf('start-flag')).toEqual([
      ['on', 10],
      ['off', 90],
    ]);
    const stored = await readRollout(documents, table, 'start-flag');
    expect(stored.stateVersion).toBe(1);
    expect(stored.state).toEqual({
      flag: 'start-flag',
      status: 'running',
      step: 0,
      percent: 10,
      stepStartedAt: '2030-01-01T00:00:00.000Z',
      usersAtStepStart: 0,
      flagVersion: 2,
      history: [{ at: '2030-01-01T00:00:00.000Z', event: 'started', percent: 10, actor: 'alice@example.com' }],
    });
    const history = await readHistory(documents, table, 'start-flag');
    expect(history).toEqual([
      expect.objectContaining({ action: 'rollout-start', actor: 'alice@example.com', version: 2, at: '2030-01-01T00:00:00.000Z' }),
    ]);
  });

  it('refuses a second start while the rollout runs, with a code, and writes nothing', async () => {
    // start-flag runs since the test above.
    expect((await readRollout(documents, table, 'start-flag')).state?.status).toBe('running');
    const text = await cli('rollout', 'start', 'start-flag');
    expect(text.code).toBe(1);
    expect(text.err).toBe(
      "monoenv flags: the rollout of 'start-flag' is already running (step 1 of 3 at 10%): see `monoenv flags rollout status start-flag` [already-active]",
    );
    const json = await cli('rollout', 'start', 'start-flag', '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.err)).toEqual({ error: { code: 'already-active', message: expect.stringContaining('already running') } });
    expect((await readFlag(documents, table, 'start-flag')).version).toBe(2);
    expect((await readRollout(documents, table, 'start-flag')).stateVersion).toBe(1);
  });

  it('refuses a flag without a plan with the no-plan code', async () => {
    const text = await cli('rollout', 'start', 'no-plan-flag');
    expect(text.code).toBe(1);
    expect(text.err).toBe("monoenv flags: no rollout plan for 'no-plan-flag': add it to rollouts/*.json and deploy [no-plan]");
    const json = await cli('rollout', 'status', 'no-plan-flag', '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.err).error.code).toBe('no-plan');
    expect((await readFlag(documents, table, 'no-plan-flag')).version).toBe(1);
  });

  it('reports usage errors (unknown action, missing key, --at elsewhere) with exit code 2', async () => {
    expect((await cli('rollout', 'frobnicate', 'start-flag')).code).toBe(2);
    expect((await cli('rollout', 'status')).code).toBe(2);
    expect((await cli('rollout')).code).toBe(2);
    expect((await cli('enable', 'start-flag', '--at', '2030-02-01T00:00:00Z')).code).toBe(2);
    expect((await readFlag(documents, table, 'start-flag')).version).toBe(2);
  });

  describe('status', () => {
    const readings: GuardrailReading[] = [
      {
        name: 'checkout conversion',
        status: 'ok',
        estimate: -0.012,
        interval: [-0.04, 0.02],
        limit: -0.05,
        unit: 'relative change',
        basis: 'on: 50/400 converted, off: 400/3600',
      },
      { name: 'flag evaluation error rate', status: 'insufficient-data', limit: 0.01, unit: 'rate', basis: '12 requests (judged from 30)' },
    ];

    beforeAll(async () => {
      now = new Date('2030-01-01T00:00:00.000Z');
      expect((await cli('rollout', 'start', 'status-flag')).code).toBe(0);
      // The controller's last look, ten minutes in.
      const stored = await readRollout(documents, table, 'status-flag');
      await putState(
        documents,
        table,
        {
          ...stored.state!,
          lastCheck: {
            at: '2030-01-01T00:10:00.000Z',
            readings,
            usersInStep: 40,
            decision: 'holding for minimum time (until 2030-01-01T01:00:00.000Z) and 60 more exposed users (40 of 100)',
            nextDecisionAt: '2030-01-01T00:11:00.000Z',
          },
        },
        stored.stateVersion,
      );
      expect((await cli('schedule', 'status-flag', 'set-weights', 'on=100', 'off=0', '--at', '2030-01-05T09:00:00+01:00')).code).toBe(0);
    });

    it('shows plan, step, exposures, readings with interval and limit, next decision, history and pending schedules', async () => {
      const { code, out } = await cli('rollout', 'status', 'status-flag');
      expect(code).toBe(0);
      const lines = out.split('\n');
      expect(lines[0]).toBe('status-flag: running, step 1 of 3 at 10%');
      expect(out).toContain(
        'plan:       on against safe variant off; steps 10% (1 h, 100 users) -> 50% (1 h, 100 users) -> 100% (1 h, 100 users)',
      );
      expect(out).toContain('flag:       version 2, ENABLED, split on=10 off=90');
      expect(out).toContain('exposures:  40 of 100 users in this step (checked 2030-01-01T00:10:00.000Z)');
      expect(out).toContain('  [ok] checkout conversion: -1.2% [-4.0%, 2.0%], limit -5.0% (on: 50/400 converted, off: 400/3600)');
      expect(out).toContain('  [insufficient-data] flag evaluation error rate: no data, limit 1.00% (12 requests (judged from 30))');
      expect(out).toContain('next decision: 2030-01-01T00:11:00.000Z');
      expect(out).toMatch(/2030-01-01T00:00:00.000Z\s+started\s+10%\s+alice@example.com/);
      expect(out).toMatch(
        /pending schedules:\nAT.*\n2030-01-05T08:00:00.000Z\s+pending\s+set-weights on=100 off=0\s+[0-9a-f]{8}\s+alice@example.com/,
      );
    });

    it('--json gives the same facts in a stable shape', async () => {
      const { code, out } = await cli('rollout', 'status', 'status-flag', '--json');
      expect(code).toBe(0);
      const view = JSON.parse(out);
      expect(Object.keys(view)).toEqual([
        'flag',
        'plan',
        'state',
        'stateVersion',
        'current',
        'step',
        'exposures',
        'lastCheck',
        'readings',
        'nextDecisionAt',
        'history',
        'schedules',
      ]);
      expect(view).toMatchObject({
        flag: 'status-flag',
        plan: { variant: 'on', safeVariant: 'off', steps: [{ percent: 10 }, { percent: 50 }, { percent: 100 }] },
        state: { status: 'running' },
        stateVersion: 2,
        current: {
          version: 2,
          state: 'ENABLED',
          weights: [
            ['on', 10],
            ['off', 90],
          ],
          editedOutsideRollout: false,
        },
        step: { index: 0, of: 3, percent: 10, minMinutes: 60, minUsers: 100, startedAt: '2030-01-01T00:00:00.000Z' },
        exposures: { usersInStep: 40, minUsers: 100, at: '2030-01-01T00:10:00.000Z' },
        readings,
        nextDecisionAt: '2030-01-01T00:11:00.000Z',
        history: [{ event: 'started', actor: 'alice@example.com' }],
        schedules: [{ flag: 'status-flag', at: '2030-01-05T08:00:00.000Z', status: 'pending', change: { change: 'set-weights' } }],
      });
    });

    it('flags a manual edit of a running rollout, which the controller will pause', async () => {
      expect((await cli('set-default', 'status-flag', 'on')).code).toBe(0);
      const view = JSON.parse((await cli('rollout', 'status', 'status-flag', '--json')).out);
      expect(view.current).toMatchObject({ version: 3, editedOutsideRollout: true });
      expect((await cli('rollout', 'status', 'status-flag')).out).toContain('(edited outside the rollout');
    });
  });

  it('pause holds the rollout; resume after a manual edit takes the flag as it now is', async () => {
    expect((await cli('rollout', 'start', 'pause-flag')).code).toBe(0);
    // The controller counted 30 users in the step ten minutes in.
    const started = await readRollout(documents, table, 'pause-flag');
    await putState(
      documents,
      table,
      { ...started.state!, lastCheck: { at: '2030-01-01T00:10:00.000Z', readings: [], usersInStep: 30, decision: 'holding' } },
      started.stateVersion,
    );

    now = new Date('2030-01-01T00:20:00.000Z');
    const paused = await cli('rollout', 'pause', 'pause-flag', '--json');
    expect(paused.code).toBe(0);
    expect(JSON.parse(paused.out)).toMatchObject({
      flag: 'pause-flag',
      action: 'pause',
      status: 'paused',
      stateVersion: 3,
      flagVersion: 2,
      weights: null,
    });
    let stored = await readRollout(documents, table, 'pause-flag');
    expect(stored.state).toMatchObject({
      status: 'paused',
      reason: 'paused by alice@example.com',
      stepStartedAt: '2030-01-01T00:00:00.000Z',
    });
    expect(stored.state!.history.at(-1)).toEqual({
      at: '2030-01-01T00:20:00.000Z',
      event: 'paused',
      percent: 10,
      actor: 'alice@example.com',
      detail: 'paused by alice@example.com',
    });
    const again = await cli('rollout', 'pause', 'pause-flag');
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/is paused: only a running rollout can be paused \[not-running\]/);
    expect((await cli('rollout', 'status', 'pause-flag')).out).toContain('next decision: none while paused');

    // Someone fixes the split by hand while it is paused.
    expect((await cli('set-weights', 'pause-flag', 'on=5', 'off=95')).code).toBe(0);
    now = new Date('2030-01-01T01:00:00.000Z');
    const resumed = await cli('rollout', 'resume', 'pause-flag');
    expect(resumed.code).toBe(0);
    expect(resumed.out).toContain('rollout of pause-flag resumed at step 1 at 10% by alice@example.com, from flag version 3');
    stored = await readRollout(documents, table, 'pause-flag');
    expect(stored.stateVersion).toBe(4);
    // The step starts over from the users known so far (the baseline and the 30 the controller counted).
    expect(stored.state).toMatchObject({
      status: 'running',
      flagVersion: 3,
      stepStartedAt: '2030-01-01T01:00:00.000Z',
      usersAtStepStart: 30,
    });
    expect(stored.state!.reason).toBeUndefined();
    expect(stored.state!.history.map((e) => e.event)).toEqual(['started', 'paused', 'resumed']);
    expect(await weightsOf('pause-flag')).toEqual([
      ['on', 5],
      ['off', 95],
    ]);
    expect((await cli('rollout', 'resume', 'pause-flag')).err).toMatch(/\[not-paused\]/);
  });

  it('abort puts everyone on the safe variant, audited as rollout-abort, and a new start is possible after', async () => {
    expect((await cli('rollout', 'start', 'abort-flag')).code).toBe(0);
    now = new Date('2030-01-01T00:30:00.000Z');
    const aborted = await cli('rollout', 'abort', 'abort-flag');
    expect(aborted.code).toBe(0);
    expect(aborted.out).toContain('rollout of abort-flag aborted by alice@example.com: split off=100 on=0 (flag version 3)');
    expect(await weightsOf('abort-flag')).toEqual([
      ['off', 100],
      ['on', 0],
    ]);
    const stored = await readRollout(documents, table, 'abort-flag');
    expect(stored.state).toMatchObject({ status: 'aborted', percent: 0, flagVersion: 3, reason: 'aborted by alice@example.com' });
    expect((await readHistory(documents, table, 'abort-flag')).map((e) => [e.action, e.actor, e.version])).toEqual([
      ['rollout-start', 'alice@example.com', 2],
      ['rollout-abort', 'alice@example.com', 3],
    ]);
    expect((await cli('rollout', 'status', 'abort-flag')).out).toMatch(
      /^abort-flag: aborted at step 1 of 3 \(aborted by alice@example.com\)\n/,
    );

    const again = await cli('rollout', 'abort', 'abort-flag', '--json');
    expect(again.code).toBe(1);
    expect(JSON.parse(again.err).error.code).toBe('not-active');
    expect((await cli('rollout', 'pause', 'abort-flag')).code).toBe(1);

    const restarted = await cli('rollout', 'start', 'abort-flag', '--json');
    expect(restarted.code).toBe(0);
    expect(JSON.parse(restarted.out)).toMatchObject({ action: 'start', status: 'running', stateVersion: 3, flagVersion: 4 });
  });

  describe('schedule', () => {
    it('writes a pending change at the time given, in UTC, created by the actor', async () => {
      const { code, out } = await cli('schedule', 'schedule-flag', 'set-default', 'on', '--at', '2030-01-03T07:30:00+01:00');
      expect(code).toBe(0);
      expect(out).toMatch(
        /^scheduled [0-9a-f]{8}: set-default on on schedule-flag at 2030-01-03T06:30:00.000Z \(in 2 d 6 h\), by alice@example.com/,
      );
      const schedules = await readSchedules(documents, table, { flag: 'schedule-flag' });
      expect(schedules).toEqual([
        {
          id: out.slice('scheduled '.length, 'scheduled '.length + 8),
          flag: 'schedule-flag',
          at: '2030-01-03T06:30:00.000Z',
          change: { change: 'set-default', variant: 'on' },
          status: 'pending',
          createdBy: 'alice@example.com',
        },
      ]);
      // Scheduling edits nothing yet.
      expect((await readFlag(documents, table, 'schedule-flag')).version).toBe(1);
    });

    it('--json prints the schedule, and schedule <key> lists them in time order', async () => {
      const { code, out } = await cli('schedule', 'schedule-flag', 'disable', '--at', '2030-01-02T00:00:00Z', '--json');
      expect(code).toBe(0);
      const result = JSON.parse(out);
      expect(result).toEqual({
        schedule: {
          id: expect.stringMatching(/^[0-9a-f]{8}$/),
          flag: 'schedule-flag',
          at: '2030-01-02T00:00:00.000Z',
          change: { change: 'disable' },
          status: 'pending',
          createdBy: 'alice@example.com',
        },
        description: 'disable',
        warnings: [],
      });
      const list = await cli('schedule', 'schedule-flag', '--json');
      expect(list.code).toBe(0);
      expect(JSON.parse(list.out).map((s: { at: string; change: { change: string } }) => [s.at, s.change.change])).toEqual([
        ['2030-01-02T00:00:00.000Z', 'disable'],
        ['2030-01-03T06:30:00.000Z', 'set-default'],
      ]);
      const text = await cli('schedule', 'schedule-flag');
      expect(text.out.split('\n')).toHaveLength(3);
      expect(text.out).toMatch(/^AT\s+STATUS\s+CHANGE\s+ID\s+BY\s+RESULT\n2030-01-02T00:00:00.000Z\s+pending\s+disable/);
    });

    it('refuses a time that is not in the future of the CLI clock, and writes nothing', async () => {
      now = new Date('2030-06-01T00:00:00.000Z');
      const past = await cli('schedule', 'race-flag', 'enable', '--at', '2030-05-31T23:59:59Z');
      expect(past.code).toBe(1);
      expect(past.err).toBe('monoenv flags: --at 2030-05-31T23:59:59Z is not in the future (now 2030-06-01T00:00:00.000Z) [at-in-past]');
      expect(await readSchedules(documents, table, { flag: 'race-flag' })).toEqual([]);
    });

    it('refuses a time without an offset, or no time, as bad usage', async () => {
      const noOffset = await cli('schedule', 'race-flag', 'enable', '--at', '2030-02-01T00:00:00');
      expect(noOffset.code).toBe(2);
      expect(noOffset.err).toMatch(/--at must be ISO 8601 with a time zone offset/);
      expect((await cli('schedule', 'race-flag', 'enable')).code).toBe(2);
      expect((await cli('schedule', 'race-flag', 'explode', '--at', '2030-02-01T00:00:00Z')).code).toBe(2);
      expect((await cli('schedule', 'race-flag', '--at', '2030-02-01T00:00:00Z')).code).toBe(2);
      expect(await readSchedules(documents, table, { flag: 'race-flag' })).toEqual([]);
    });

    it('refuses an unknown variant, naming it and the flag, and writes nothing', async () => {
      const setDefault = await cli('schedule', 'race-flag', 'set-default', 'maybe', '--at', '2030-02-01T00:00:00Z');
      expect(setDefault.code).toBe(1);
      expect(setDefault.err).toBe(
        "monoenv flags: cannot schedule set-default maybe on 'race-flag': 'maybe' is not a variant of flag 'race-flag' (off, on) [invalid-change]",
      );
      const weights = await cli('schedule', 'race-flag', 'set-weights', 'on=50', 'nope=50', '--at', '2030-02-01T00:00:00Z', '--json');
      expect(weights.code).toBe(1);
      expect(JSON.parse(weights.err).error).toEqual({
        code: 'invalid-change',
        message: expect.stringContaining("'nope' is not a variant"),
      });
      expect(await readSchedules(documents, table, { flag: 'race-flag' })).toEqual([]);
    });

    it('warns when the flag has a rollout going that the change would pause', async () => {
      const { code, out } = await cli('schedule', 'start-flag', 'set-weights', 'on=50', 'off=50', '--at', '2030-01-02T00:00:00Z');
      expect(code).toBe(0);
      expect(out).toContain("warning: the rollout of 'start-flag' is running");
    });
  });

  describe('conflicts: nothing half-written', () => {
    const context = (client: DynamoDBDocumentClient): RolloutContext => ({
      client,
      table,
      actor: () => 'alice@example.com',
      now: () => now,
    });
    /** A client that lets `interfere` commit between the command's read and its first write of the given kind. */
    const racing = (write: new (...args: never[]) => unknown, interfere: () => Promise<void>) => {
      let done = false;
      return {
        send: async (command: unknown) => {
          if (command instanceof write && !done) {
            done = true;
            await interfere();
          }
          return documents.send(command as never);
        },
      } as unknown as DynamoDBDocumentClient;
    };

    it('abort loses to a controller step taken meanwhile: conflict, the flag untouched', async () => {
      expect((await cli('rollout', 'start', 'race-flag')).code).toBe(0);
      const plan = planFor('race-flag');
      const client = racing(TransactWriteCommand, async () => {
        const stored = await readRollout(documents, table, 'race-flag');
        await putState(documents, table, advancedState(stored.state!, plan, stored.state!.flagVersion, 0, now), stored.stateVersion);
      });
      const error = await runRolloutAction(context(client), 'abort', 'race-flag').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RolloutCommandError);
      expect(error).toMatchObject({ code: 'conflict', message: expect.stringContaining('was changed by someone else meanwhile') });
      expect(await weightsOf('race-flag')).toEqual([
        ['on', 10],
        ['off', 90],
      ]);
      expect((await readHistory(documents, table, 'race-flag')).map((e) => e.action)).toEqual(['rollout-start']);
      expect((await readRollout(documents, table, 'race-flag')).state).toMatchObject({ status: 'running', step: 1 });
    });

    it('pause loses to a state write meanwhile: conflict, the other write kept', async () => {
      const client = racing(PutCommand, async () => {
        const stored = await readRollout(documents, table, 'race-flag');
        await putState(documents, table, { ...stored.state!, reason: 'controller was here' }, stored.stateVersion);
      });
      await expect(runRolloutAction(context(client), 'pause', 'race-flag')).rejects.toMatchObject({ code: 'conflict' });
      expect((await readRollout(documents, table, 'race-flag')).state).toMatchObject({ status: 'running', reason: 'controller was here' });
    });

    it('start loses to a flag edit meanwhile: conflict, no state written', async () => {
      const client = racing(TransactWriteCommand, async () => {
        await updateFlag(documents, table, 'race-flag-2', (f) => ({ ...f, defaultVariant: 'on' }), 'bob@example.com', {
          action: 'set-default',
        });
      });
      const error = await runRolloutAction(context(client), 'start', 'race-flag-2').catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'conflict', message: expect.stringContaining("flag 'race-flag-2' was changed by someone else") });
      expect((await readRollout(documents, table, 'race-flag-2')).state).toBeUndefined();
      expect((await readHistory(documents, table, 'race-flag-2')).map((e) => e.action)).toEqual(['set-default']);
      expect(await weightsOf('race-flag-2')).toEqual([
        ['off', 100],
        ['on', 0],
      ]);
    });
  });
});
