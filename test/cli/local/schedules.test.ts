import { deployedSchedules, localScheduleRule } from '../../../cli/local/deployed';
import { notEmulatedResources } from '../../../cli/local/not-emulated';
import {
  localSchedules,
  scheduleIntervalFromEnv,
  startScheduleRunner,
  type LocalSchedule,
  type ScheduleTimers,
} from '../../../cli/local/runtime';
import { formatStartSummary } from '../../../cli/local/summary';
import { runningState } from '../../support/local-fixtures';

/** A synthesized stack's schedules, as cdktf writes them (the target ARN a reference to the function). */
const stack = {
  resource: {
    aws_lambda_function: {
      controller_fn: { function_name: 'shop-rollout-controller', arn: 'computed' },
      rescan_fn: { function_name: 'shop-image-rescan' },
    },
    aws_dynamodb_table: { flags: { name: 'shop-flags' } },
    aws_sqs_queue: { q: { name: 'shop-q' } },
    aws_scheduler_schedule: {
      controller: {
        name: 'shop-rollout-controller',
        schedule_expression: 'rate(1 minute)',
        flexible_time_window: { mode: 'OFF' },
        target: { arn: '${aws_lambda_function.controller_fn.arn}', role_arn: '${aws_iam_role.r.arn}' },
      },
      rescan: {
        name: 'shop-image-rescan',
        schedule_expression: 'rate(1 day)',
        target: { arn: '${aws_lambda_function.rescan_fn.arn}', role_arn: '${aws_iam_role.r.arn}' },
      },
      with_input: {
        name: 'shop-report',
        schedule_expression: 'rate(5 minutes)',
        target: {
          arn: 'arn:aws:lambda:eu-west-1:123456789012:function:shop-report:live',
          input: '{"table":"${aws_dynamodb_table.flags.name}","note":"$${literal}"}',
        },
      },
      computed_input: {
        name: 'shop-computed',
        schedule_expression: 'rate(1 minute)',
        target: { arn: '${aws_lambda_function.controller_fn.arn}', input: '{"topic":"${aws_sns_topic.alerts.arn}"}' },
      },
      to_queue: { name: 'shop-to-queue', schedule_expression: 'rate(1 minute)', target: { arn: '${aws_sqs_queue.q.arn}' } },
      off: {
        name: 'shop-off',
        state: 'DISABLED',
        schedule_expression: 'rate(1 minute)',
        target: { arn: '${aws_lambda_function.controller_fn.arn}' },
      },
    },
  },
};

describe('the schedules local production reads from the synthesized stack', () => {
  it("reads each Lambda schedule's expression, function (through the reference) and input ({} without one)", () => {
    expect(deployedSchedules(stack)).toEqual([
      { name: 'shop-rollout-controller', expression: 'rate(1 minute)', functionName: 'shop-rollout-controller', input: {} },
      { name: 'shop-image-rescan', expression: 'rate(1 day)', functionName: 'shop-image-rescan', input: {} },
      {
        name: 'shop-report',
        expression: 'rate(5 minutes)',
        functionName: 'shop-report',
        input: { table: 'shop-flags', note: '${literal}' },
      },
    ]);
  });

  it('leaves out schedules it cannot run as deployed (input known only after apply, not a Lambda, disabled), and lists them', () => {
    const listed = notEmulatedResources(stack).filter((item) => item.address.startsWith('aws_scheduler_schedule.'));
    expect(Object.fromEntries(listed.map((item) => [item.name, item.what]))).toEqual({
      'shop-image-rescan':
        'schedule rate(1 day) of shop-image-rescan: never fires locally (only rate(...) schedules of an hour or less run locally (sped up), not rate(1 day))',
      'shop-computed': 'schedule rate(1 minute): never fires locally (its input refers to values known only after apply)',
      'shop-to-queue': 'schedule rate(1 minute): never fires locally (its target is not a Lambda function of this stack)',
      'shop-off': 'schedule rate(1 minute): never fires locally (it is disabled)',
    });
  });

  it('handles a stack without schedules', () => {
    expect(deployedSchedules({})).toEqual([]);
  });
});

describe('which schedules run locally', () => {
  it.each(['rate(1 minute)', 'rate(5 minutes)', 'rate(60 minutes)', 'rate(1 hour)'])('%s runs', (expression) => {
    expect(localScheduleRule(expression).runs).toBe(true);
  });

  it.each([
    ['rate(61 minutes)', /of an hour or less run locally \(sped up\), not rate\(61 minutes\)$/],
    ['rate(2 hours)', /, not rate\(2 hours\)$/],
    ['rate(1 day)', /, not rate\(1 day\)$/],
    ['cron(0 3 * * ? *)', /^only rate\(\.\.\.\) schedules .*, not cron\(\.\.\.\)$/],
    ['at(2026-12-01T10:00:00)', /, not at\(\.\.\.\)$/],
    ['rate(0 minutes)', /not a valid rate/],
  ])('%s does not', (expression, reason) => {
    const rule = localScheduleRule(expression);
    expect(rule.runs).toBe(false);
    expect(!rule.runs && rule.reason).toMatch(reason);
  });

  it('runs those every scheduleIntervalSeconds', () => {
    expect(localSchedules(deployedSchedules(stack), 5).map((s) => [s.name, s.everySeconds])).toEqual([
      ['shop-rollout-controller', 5],
      ['shop-report', 5],
    ]);
  });

  it(`takes the interval from MONOENV_LOCAL_SCHEDULE_SECONDS, refusing what is not 1..3600 whole seconds`, () => {
    expect(scheduleIntervalFromEnv({})).toBeUndefined();
    expect(scheduleIntervalFromEnv({ MONOENV_LOCAL_SCHEDULE_SECONDS: '' })).toBeUndefined();
    expect(scheduleIntervalFromEnv({ MONOENV_LOCAL_SCHEDULE_SECONDS: '30' })).toBe(30);
    for (const bad of ['0', '1.5', 'soon', '3601']) {
      expect(() => scheduleIntervalFromEnv({ MONOENV_LOCAL_SCHEDULE_SECONDS: bad })).toThrow(
        `MONOENV_LOCAL_SCHEDULE_SECONDS must be a whole number from 1 to 3600 (seconds), got '${bad}'`,
      );
    }
  });

  it('npm start says which schedules it runs and how often', () => {
    const text = formatStartSummary({
      state: runningState(),
      keys: { flagsServer: 'k1', write: 'k2' },
      notEmulated: [],
      schedules: localSchedules(deployedSchedules(stack), 5).slice(0, 1),
      stateFile: 'state.json',
    });
    expect(text).toContain(
      'schedule           shop-rollout-controller every 5 s (shop-rollout-controller: rate(1 minute) in AWS; --schedule-interval)',
    );
  });
});

/** Timers that tick only when the test says so. */
function manualTimers(): ScheduleTimers & { intervals: number[]; tick(): void; live(): number } {
  const entries: Array<{ ms: number; tick: () => void; cancelled: boolean }> = [];
  return {
    intervals: [],
    every(ms, tick) {
      const entry = { ms, tick, cancelled: false };
      entries.push(entry);
      this.intervals.push(ms);
      return () => {
        entry.cancelled = true;
      };
    },
    tick() {
      for (const entry of entries) if (!entry.cancelled) entry.tick();
    },
    live: () => entries.filter((e) => !e.cancelled).length,
  };
}

/** A host whose invocations finish when the test says so. */
function manualHost() {
  const calls: Array<{ functionName: string; event: unknown; finish: (error?: Error) => void }> = [];
  let running = 0;
  let mostAtOnce = 0;
  return {
    calls,
    mostAtOnce: () => mostAtOnce,
    invoke(functionName: string, event: unknown): Promise<unknown> {
      running += 1;
      mostAtOnce = Math.max(mostAtOnce, running);
      return new Promise((resolve, reject) => {
        calls.push({
          functionName,
          event,
          finish: (error) => {
            running -= 1;
            if (error) reject(error);
            else resolve({ ok: true });
          },
        });
      });
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

const controller: LocalSchedule = {
  name: 'shop-rollouts',
  expression: 'rate(1 minute)',
  functionName: 'shop-rollout-controller',
  input: { source: 'schedule' },
  everySeconds: 5,
};

describe('the schedule timer', () => {
  it('invokes the function with its input every interval, never two at once, and skips a tick while one runs', async () => {
    const timers = manualTimers();
    const host = manualHost();
    const runner = startScheduleRunner({ schedules: [controller], invoke: host.invoke, log: () => undefined, timers });
    expect(timers.intervals).toEqual([5000]);
    expect(host.calls).toHaveLength(0); // nothing before the first tick

    timers.tick();
    await settle();
    expect(host.calls.map((c) => [c.functionName, c.event])).toEqual([['shop-rollout-controller', { source: 'schedule' }]]);
    timers.tick(); // still running: skipped
    timers.tick();
    await settle();
    expect(host.calls).toHaveLength(1);

    host.calls[0].finish();
    await settle();
    timers.tick();
    await settle();
    expect(host.calls).toHaveLength(2);
    host.calls[1].finish();
    await runner.close();
    expect(host.mostAtOnce()).toBe(1);
  });

  it('logs a failed invocation by function name, and keeps going', async () => {
    const timers = manualTimers();
    const host = manualHost();
    const log: string[] = [];
    const runner = startScheduleRunner({ schedules: [controller], invoke: host.invoke, log: (line) => log.push(line), timers });
    timers.tick();
    await settle();
    host.calls[0].finish(new Error('shop-rollout-controller: Sandbox.Timedout: Task timed out after 60 seconds'));
    await settle();
    expect(log).toEqual([
      'shop-rollout-controller: scheduled run (shop-rollouts, rate(1 minute)) failed: Sandbox.Timedout: Task timed out after 60 seconds',
    ]);
    timers.tick();
    await settle();
    expect(host.calls).toHaveLength(2);
    host.calls[1].finish();
    await runner.close();
  });

  it('runs every schedule once on demand, after the invocation already running, and resolves when they are done', async () => {
    const timers = manualTimers();
    const host = manualHost();
    const report: LocalSchedule = { ...controller, name: 'shop-report', functionName: 'shop-report', input: {} };
    const runner = startScheduleRunner({ schedules: [controller, report], invoke: host.invoke, log: () => undefined, timers });
    timers.tick();
    await settle();
    expect(host.calls.map((c) => c.functionName)).toEqual(['shop-rollout-controller', 'shop-report']);

    let done = false;
    const now = runner.runNow().then(() => (done = true));
    await settle();
    expect(host.calls).toHaveLength(2); // each waits for its schedule's running invocation
    host.calls[0].finish();
    host.calls[1].finish();
    await settle();
    expect(host.calls.map((c) => c.functionName)).toEqual([
      'shop-rollout-controller',
      'shop-report',
      'shop-rollout-controller',
      'shop-report',
    ]);
    expect(done).toBe(false);
    host.calls[2].finish();
    host.calls[3].finish();
    await now;
    expect(host.mostAtOnce()).toBe(2); // one per schedule
    await runner.close();
  });

  it('close() stops the timers and waits for the running invocation', async () => {
    const timers = manualTimers();
    const host = manualHost();
    const runner = startScheduleRunner({ schedules: [controller], invoke: host.invoke, log: () => undefined, timers });
    timers.tick();
    await settle();
    let closed = false;
    const closing = runner.close().then(() => (closed = true));
    expect(timers.live()).toBe(0);
    await settle();
    expect(closed).toBe(false);
    host.calls[0].finish();
    await closing;
    await runner.runNow(); // nothing more once closed
    expect(host.calls).toHaveLength(1);
  });

  it('with real timers, runs at the interval until closed', async () => {
    const host = manualHost();
    const fast = { ...controller, everySeconds: 0.02 };
    const runner = startScheduleRunner({ schedules: [fast], invoke: host.invoke, log: () => undefined });
    await new Promise((resolve) => setTimeout(resolve, 70));
    expect(host.calls.length).toBe(1); // the first still runs: later ticks were skipped
    host.calls[0].finish();
    await new Promise((resolve) => setTimeout(resolve, 70));
    expect(host.calls.length).toBe(2);
    host.calls[1].finish();
    await runner.close();
  });
});
