/**
 * A `monoenv <command>` declared once: its options (type, value name, description) and subcommands give the usage
 * text, the parser (node:util's parseArgs) and the parsed values' types, so the three cannot disagree. Every
 * command reads and writes through one CliIo and reports bad usage with one UsageError (exit code 2).
 */
import { parseArgs } from 'node:util';

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** The value's name in the usage text, e.g. `name` for `--table <name>`. */
  readonly value?: string;
  readonly description: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** The parsed values, typed from the specs: strings for string options, booleans for flags. */
export type OptionValues<O extends OptionSpecs> = { [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string };

export interface SubcommandSpec {
  readonly name: string;
  /** Its positional arguments in the usage text, e.g. `<key> <variant>`. */
  readonly args?: string;
  readonly summary: string;
}

export interface CommandSpec<O extends OptionSpecs> {
  /** As typed after `monoenv`, e.g. `flags`. */
  readonly name: string;
  /** The synopsis after `monoenv <name>`, e.g. `<command> [options]`. */
  readonly synopsis: string;
  /** A paragraph under the synopsis. */
  readonly description?: string;
  readonly subcommands?: readonly SubcommandSpec[];
  /** Options in usage order, grouped under headings. */
  readonly options: O;
  readonly optionGroups?: readonly { readonly heading: string; readonly names: readonly (keyof O & string)[] }[];
  /** Text after the options: formats, exit codes. */
  readonly footer?: string;
}

/** Bad usage: exit code 2, with the usage text. */
export class UsageError extends Error {
  readonly code = 'USAGE';

  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

/** The process's own streams, environment and working directory. */
export const processIo = (): CliIo => ({
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
  cwd: process.cwd(),
});

const HELP: OptionSpec = { type: 'boolean', short: 'h', description: 'show this help' };

function optionLine(name: string, spec: OptionSpec): [string, string] {
  const flag = `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.value ? ` <${spec.value}>` : ''}`;
  return [flag, spec.description];
}

const columns = (rows: readonly [string, string][], indent = 2): string[] => {
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return rows.map(([left, right]) => `${' '.repeat(indent)}${left.padEnd(width)}${right}`.trimEnd());
};

export function usageOf<O extends OptionSpecs>(spec: CommandSpec<O>): string {
  const lines = [`usage: monoenv ${spec.name} ${spec.synopsis}`];
  if (spec.description) lines.push('', spec.description);
  if (spec.subcommands?.length) {
    lines.push('', 'commands:', ...columns(spec.subcommands.map((s) => [`${s.name}${s.args ? ` ${s.args}` : ''}`, s.summary])));
  }
  const all = { ...spec.options, help: HELP } as OptionSpecs;
  const declared: readonly { heading: string; names: readonly string[] }[] = spec.optionGroups ?? [
    { heading: 'options', names: Object.keys(spec.options) },
  ];
  // Options no group names (and --help) go at the end of the last group.
  const grouped = new Set(declared.flatMap((g) => g.names));
  const rest = Object.keys(all).filter((name) => !grouped.has(name));
  const groups = declared.map((group, i) => (i === declared.length - 1 ? { ...group, names: [...group.names, ...rest] } : group));
  for (const group of groups) lines.push('', `${group.heading}:`, ...columns(group.names.map((name) => optionLine(name, all[name]))));
  if (spec.footer) lines.push('', spec.footer);
  return lines.join('\n');
}

export interface ParsedCommandLine<O extends OptionSpecs> {
  readonly positionals: string[];
  readonly values: OptionValues<O>;
  readonly help: boolean;
}

/** Parses `argv` against the spec; unknown options and missing values are UsageErrors. */
export function parseCommandLine<O extends OptionSpecs>(spec: CommandSpec<O>, argv: readonly string[]): ParsedCommandLine<O> {
  const options = Object.fromEntries(
    Object.entries({ ...spec.options, help: HELP }).map(([name, o]) => [
      name,
      o.short ? { type: o.type, short: o.short } : { type: o.type },
    ]),
  );
  try {
    const { values, positionals } = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options });
    const { help, ...rest } = values as Record<string, string | boolean | undefined>;
    return { positionals, values: rest as OptionValues<O>, help: help === true };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** A whole number option within bounds, or undefined when not given. */
export function integerOption(value: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`--${flag} must be a whole number from ${min} to ${max}, got '${value}'`);
  return n;
}
