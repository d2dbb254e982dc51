import { FlagValidationError } from '../../domain/flags/evaluator';
import type { FlagDefinition } from '../../domain/flags/evaluator';
import {
  ConcurrentModificationError,
  FlagNotFoundError,
  readFlag,
  readFlagTable,
  readHistory,
  updateFlag,
} from '../../domain/flags/flag-table';
import {
  FlagEditError,
  disableFlag,
  enableFlag,
  parseWeights,
  setDefaultVariant,
  setFractionalWeights,
} from '../../domain/flags/flag-edits';
import { FlagDirError, loadFlagDir } from '../../domain/flags/flag-files';
import {
  formatFlag,
  formatFlagList,
  formatHistory,
  formatRolloutAction,
  formatRolloutStatus,
  formatScheduleList,
  formatScheduleResult,
} from './format';
import {
  ROLLOUT_ACTIONS,
  RolloutCommandError,
  addFlagSchedule,
  listFlagSchedules,
  runRolloutAction,
  type RolloutAction,
  type RolloutActionResult,
  type RolloutContext,
  type RolloutStatusView,
} from './rollouts';
import { serveFlagDir } from './serve';
import { tableClient } from './table-client';
import {
  integerOption,
  parseCommandLine,
  processIo,
  usageOf,
  UsageError,
  type CliIo,
  type CommandSpec,
  type OptionSpecs,
  type OptionValues,
} from '../command-line';
import { resolveActor, resolveTarget } from './target';

export const FLAGS_COMMAND = {
  name: 'flags',
  synopsis: '<command> [options]',
  subcommands: [
    { name: 'list', summary: 'all flags with state, default variant, split and version' },
    { name: 'show', args: '<key>', summary: "one flag's definition" },
    { name: 'enable', args: '<key>', summary: 'turn a flag on (live within 5 s)' },
    { name: 'disable', args: '<key>', summary: 'turn a flag off: a kill switch (live within 5 s)' },
    { name: 'set-default', args: '<key> <variant>', summary: 'change the variant served when no rule matches' },
    { name: 'set-weights', args: '<key> <variant>=<weight>...', summary: "change the split of the flag's fractional rule" },
    { name: 'history', args: '<key>', summary: 'runtime changes since the last deploy' },
    {
      name: 'rollout start',
      args: '<key>',
      summary: "start the flag's guarded rollout (its deployed plan from rollouts/*.json)",
    },
    {
      name: 'rollout status',
      args: '<key>',
      summary: 'plan, step, exposures, guardrail readings, next decision, history, pending schedules',
    },
    { name: 'rollout pause', args: '<key>', summary: 'hold the rollout at its step (the split stays); the controller waits' },
    { name: 'rollout resume', args: '<key>', summary: 'run it again from the flag as it now is (an edit made meanwhile is kept)' },
    { name: 'rollout abort', args: '<key>', summary: 'end it and put everyone on the safe variant' },
    {
      name: 'schedule',
      args: '<key> <change> --at <time>',
      summary: 'make a change later: enable | disable | set-default <variant> | set-weights <v>=<w>...',
    },
    { name: 'schedule', args: '<key>', summary: "the flag's scheduled changes (pending, fired, failed)" },
    { name: 'validate', summary: 'check flag files (--dir) as the deploy does' },
    { name: 'serve', summary: 'serve flag files (--dir) over OFREP, reloading on change' },
  ],
  options: {
    table: { type: 'string', value: 'name', description: 'flag table (or MONOENV_FLAGS_TABLE, or a running local production)' },
    endpoint: { type: 'string', value: 'url', description: 'DynamoDB endpoint (local productions)' },
    region: { type: 'string', value: 'region', description: 'AWS region' },
    actor: { type: 'string', value: 'who', description: 'recorded in the audit trail (or MONOENV_ACTOR, git user.email, OS user)' },
    json: { type: 'boolean', description: 'print JSON' },
    at: { type: 'string', value: 'time', description: 'when: ISO 8601 with a time zone offset, e.g. 2026-12-24T06:00:00Z (schedule)' },
    dir: { type: 'string', value: 'folder', description: 'folder of flag files (validate, serve)' },
    port: { type: 'string', value: 'n', description: 'port to serve on (serve; default 8016)' },
    host: { type: 'string', value: 'address', description: 'address to serve on (serve; default 127.0.0.1)' },
    'api-key': { type: 'string', value: 'key', description: 'require this key (serve; default: none, local development)' },
  },
  optionGroups: [
    { heading: 'options for table commands', names: ['table', 'endpoint', 'region', 'actor', 'json', 'at'] },
    { heading: 'options for validate and serve', names: ['dir', 'port', 'host', 'api-key'] },
  ],
  footer: `--json prints the data: the flag item (show and the edits), the items (list, history, schedule <key>);
rollout start|pause|resume|abort: { flag, action, status, state, stateVersion, flagVersion, weights };
rollout status: { flag, plan, state, stateVersion, current, step, exposures, lastCheck, readings,
nextDecisionAt, history, schedules }; schedule <key> <change>: { schedule, description, warnings }.
A refused rollout or schedule command exits 1 with a code: "monoenv flags: <message> [<code>]", or with
--json { "error": { "code", "message" } } on stderr (codes: no-plan, already-active, not-running,
not-paused, not-active, conflict, invalid-change, at-in-past).`,
} as const satisfies CommandSpec<OptionSpecs>;

/** The CLI's streams and environment, and its clock (replaceable in tests). */
export interface FlagsIo extends CliIo {
  readonly now: () => Date;
}

type Values = OptionValues<typeof FLAGS_COMMAND.options>;

function expectArgs(args: string[], names: string[], variadic = false): void {
  if (args.length < names.length || (!variadic && args.length > names.length)) {
    throw new UsageError(
      `expected ${names.map((n) => `<${n}>`).join(' ')}${variadic ? '...' : ''}, got ${args.length === 0 ? 'nothing' : args.join(' ')}`,
    );
  }
}

const EDITS: Record<string, { params: string[]; variadic?: boolean; edit: (args: string[]) => (flag: FlagDefinition) => FlagDefinition }> =
  {
    enable: { params: ['key'], edit: () => enableFlag },
    disable: { params: ['key'], edit: () => disableFlag },
    'set-default': {
      params: ['key', 'variant'],
      edit:
        ([, variant]) =>
        (flag) =>
          setDefaultVariant(flag, variant),
    },
    'set-weights': {
      params: ['key', 'variant=weight'],
      variadic: true,
      edit: ([, ...pairs]) => {
        const weights = parseWeights(pairs);
        return (flag) => setFractionalWeights(flag, weights);
      },
    },
  };

async function serve(values: Values, io: CliIo): Promise<number> {
  if (!values.dir) throw new UsageError('serve needs --dir <folder of flag files>');
  const port = integerOption(values.port, 'port', 0, 65535) ?? 8016;
  const server = await serveFlagDir({ dir: values.dir, port, host: values.host, apiKey: values['api-key'], log: io.out });
  io.out(
    `serving flags from ${values.dir} at ${server.url}/ofrep/v1/evaluate/flags (revision ${server.revision()})${values['api-key'] ? ', API key required' : ', no API key required (local development; --api-key <key> requires one)'}`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return 0;
}

const isRolloutAction = (name: string | undefined): name is RolloutAction => (ROLLOUT_ACTIONS as readonly string[]).includes(name ?? '');

/** `rollout <action> <key>` and `schedule <key> [<change> --at <time>]`. */
async function runRolloutCommand(command: 'rollout' | 'schedule', args: string[], values: Values, io: FlagsIo): Promise<number> {
  if (command === 'rollout') {
    const [action, ...rest] = args;
    if (!isRolloutAction(action)) {
      throw new UsageError(`rollout needs one of ${ROLLOUT_ACTIONS.join(', ')}${action ? `, got '${action}'` : ''}`);
    }
    expectArgs(rest, ['key']);
  } else {
    expectArgs(args, ['key'], true);
    if (args.length === 1 && values.at !== undefined) throw new UsageError('--at needs a change: schedule <key> <change> --at <time>');
  }
  const target = resolveTarget(values, io.env, io.cwd);
  let actor: string | undefined;
  const context: RolloutContext = {
    client: tableClient(target),
    table: target.table,
    actor: () => (actor ??= resolveActor(values.actor, io.env)),
    now: io.now,
  };
  const print = (data: unknown, text: () => string) => io.out(values.json ? JSON.stringify(data, null, 2) : text());
  if (command === 'rollout') {
    const result = await runRolloutAction(context, args[0] as RolloutAction, args[1]);
    print(result, () =>
      args[0] === 'status'
        ? formatRolloutStatus(result as RolloutStatusView)
        : formatRolloutAction(result as RolloutActionResult, context.actor()),
    );
  } else if (args.length === 1) {
    const schedules = await listFlagSchedules(context, args[0]);
    print(schedules, () => formatScheduleList(args[0], schedules));
  } else {
    const result = await addFlagSchedule(context, args[0], args.slice(1), values.at);
    print(result, () => formatScheduleResult(result, context.now()));
  }
  return 0;
}

async function runCommand(command: string | undefined, args: string[], values: Values, io: FlagsIo): Promise<number> {
  if (command === 'serve') return serve(values, io);
  if (command === 'validate') {
    if (!values.dir) throw new UsageError('validate needs --dir <folder of flag files>');
    const { set } = loadFlagDir(values.dir);
    io.out(`${set.flags.size} flags valid (revision ${set.revision})`);
    return 0;
  }
  if (command === 'rollout' || command === 'schedule') return runRolloutCommand(command, args, values, io);
  if (values.at !== undefined) throw new UsageError('--at is for schedule');
  const edit = command ? EDITS[command] : undefined;
  if (command !== 'list' && command !== 'show' && command !== 'history' && !edit) {
    throw new UsageError(command ? `unknown command '${command}'` : 'a command is required');
  }
  const target = resolveTarget(values, io.env, io.cwd);
  const client = tableClient(target);
  const print = (data: unknown, text: string) => io.out(values.json ? JSON.stringify(data, null, 2) : text);

  if (command === 'list') {
    expectArgs(args, []);
    const { items } = await readFlagTable(client, target.table);
    print(items, formatFlagList(items));
  } else if (command === 'show') {
    expectArgs(args, ['key']);
    const item = await readFlag(client, target.table, args[0]);
    print(item, formatFlag(item));
  } else if (command === 'history') {
    expectArgs(args, ['key']);
    await readFlag(client, target.table, args[0]); // a clear "not found" rather than an empty history
    const entries = await readHistory(client, target.table, args[0]);
    print(entries, formatHistory(entries));
  } else if (edit && command) {
    expectArgs(args, edit.params, edit.variadic);
    const mutate = edit.edit(args);
    const actor = resolveActor(values.actor, io.env);
    const item = await updateFlag(client, target.table, args[0], mutate, actor, { action: command });
    print(item, `${command} ${item.key}: now version ${item.version} (by ${actor}); live on every instance within 5 s`);
  }
  return 0;
}

export async function run(argv: string[], given: Partial<FlagsIo> = {}): Promise<number> {
  const io: FlagsIo = { ...processIo(), now: () => new Date(), ...given };
  try {
    const {
      positionals: [command, ...args],
      values,
      help,
    } = parseCommandLine(FLAGS_COMMAND, argv);
    if (help || command === 'help') {
      io.out(usageOf(FLAGS_COMMAND));
      return 0;
    }
    return await runCommand(command, args, values, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`monoenv flags: ${error.message}\n\n${usageOf(FLAGS_COMMAND)}`);
      return 2;
    }
    if (error instanceof RolloutCommandError) {
      io.err(
        argv.includes('--json')
          ? JSON.stringify({ error: { code: error.code, message: error.message } }, null, 2)
          : `monoenv flags: ${error.message} [${error.code}]`,
      );
      return 1;
    }
    const known = [FlagEditError, FlagNotFoundError, ConcurrentModificationError, FlagValidationError, FlagDirError].some(
      (type) => error instanceof type,
    );
    io.err(`monoenv flags: ${known ? (error as Error).message : `failed: ${(error as Error)?.message ?? String(error)}`}`);
    return 1;
  }
}
