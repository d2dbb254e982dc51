import { parseArgs } from 'node:util';
import { FlagValidationError } from '../../lambdas/flag-evaluation/core';
import type { FlagDefinition } from '../../lambdas/flag-evaluation/core';
import { ConcurrentModificationError, FlagNotFoundError, readFlag, readFlagTable, readHistory, updateFlag } from '../../lambdas/flag-evaluation/flag-table';
import { FlagEditError, disableFlag, enableFlag, parseWeights, setDefaultVariant, setFractionalWeights } from './edits';
import { FlagDirError, loadFlagDir } from './flag-dir';
import { formatFlag, formatFlagList, formatHistory } from './format';
import { serveFlagDir } from './serve';
import { tableClient } from './table-client';
import { UsageError, resolveActor, resolveTarget } from './target';


const USAGE = `usage: monoenv flags <command> [options]

commands:
  list                                  all flags with state, default variant, split and version
  show <key>                            one flag's definition
  enable <key> | disable <key>          turn a flag on or off (a kill switch: live within 5 s)
  set-default <key> <variant>           change the variant served when no rule matches
  set-weights <key> <variant>=<weight>...  change the split of the flag's fractional rule
  history <key>                         runtime changes since the last deploy
  validate --dir <folder>               check flag files as the deploy does
  serve --dir <folder> [--port 8016] [--host 127.0.0.1] [--api-key <key>]
                                        serve flag files over OFREP, reloading on change

options for table commands:
  --table <name>     flag table (or MONOENV_FLAGS_TABLE, or a running local production)
  --endpoint <url>   DynamoDB endpoint (local productions)
  --region <region>
  --actor <who>      recorded in the audit trail (or MONOENV_ACTOR, git user.email, OS user)
  --json             print JSON`;

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

const consoleOutput: Output = { out: (t) => console.log(t), err: (t) => console.error(t) };

type Values = {
  table?: string;
  endpoint?: string;
  region?: string;
  actor?: string;
  json?: boolean;
  dir?: string;
  port?: string;
  host?: string;
  'api-key'?: string;
  help?: boolean;
};

function parse(argv: string[]): { command?: string; args: string[]; values: Values } {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        table: { type: 'string' },
        endpoint: { type: 'string' },
        region: { type: 'string' },
        actor: { type: 'string' },
        json: { type: 'boolean' },
        dir: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        'api-key': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    const [command, ...args] = positionals;
    return { command, args, values };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function expectArgs(args: string[], names: string[], variadic = false): void {
  if (args.length < names.length || (!variadic && args.length > names.length)) {
    throw new UsageError(`expected ${names.map((n) => `<${n}>`).join(' ')}${variadic ? '...' : ''}, got ${args.length === 0 ? 'nothing' : args.join(' ')}`);
  }
}

const EDITS: Record<string, { params: string[]; variadic?: boolean; edit: (args: string[]) => (flag: FlagDefinition) => FlagDefinition }> = {
  enable: { params: ['key'], edit: () => enableFlag },
  disable: { params: ['key'], edit: () => disableFlag },
  'set-default': { params: ['key', 'variant'], edit: ([, variant]) => (flag) => setDefaultVariant(flag, variant) },
  'set-weights': {
    params: ['key', 'variant=weight'],
    variadic: true,
    edit: ([, ...pairs]) => {
      const weights = parseWeights(pairs);
      return (flag) => setFractionalWeights(flag, weights);
    },
  },
};

async function serve(values: Values, io: Output): Promise<number> {
  if (!values.dir) throw new UsageError('serve needs --dir <folder of flag files>');
  const port = values.port === undefined ? 8016 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number, got '${values.port}'`);
  const server = await serveFlagDir({ dir: values.dir, port, host: values.host, apiKey: values['api-key'], log: io.out });
  io.out(`serving flags from ${values.dir} at ${server.url}/ofrep/v1/evaluate/flags (revision ${server.revision()})${values['api-key'] ? ', API key required' : ', no API key required (local development; --api-key <key> requires one)'}`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return 0;
}

async function runCommand(command: string | undefined, args: string[], values: Values, io: Output): Promise<number> {
  if (command === 'serve') return serve(values, io);
  if (command === 'validate') {
    if (!values.dir) throw new UsageError('validate needs --dir <folder of flag files>');
    const { set } = loadFlagDir(values.dir);
    io.out(`${set.flags.size} flags valid (revision ${set.revision})`);
    return 0;
  }
  const edit = command ? EDITS[command] : undefined;
  if (command !== 'list' && command !== 'show' && command !== 'history' && !edit) {
    throw new UsageError(command ? `unknown command '${command}'` : 'a command is required');
  }
  const target = resolveTarget(values);
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
    const actor = resolveActor(values.actor);
    const item = await updateFlag(client, target.table, args[0], mutate, actor, { action: command });
    print(item, `${command} ${item.key}: now version ${item.version} (by ${actor}); live on every instance within 5 s`);
  }
  return 0;
}

export async function run(argv: string[], io: Output = consoleOutput): Promise<number> {
  try {
    const { command, args, values } = parse(argv);
    if (values.help || command === 'help') {
      io.out(USAGE);
      return 0;
    }
    return await runCommand(command, args, values, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`monoenv flags: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    const known = [FlagEditError, FlagNotFoundError, ConcurrentModificationError, FlagValidationError, FlagDirError].some((type) => error instanceof type);
    io.err(`monoenv flags: ${known ? (error as Error).message : `failed: ${(error as Error)?.message ?? String(error)}`}`);
    return 1;
  }
}
