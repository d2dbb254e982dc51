/**
 * The `monoenv` command. Each subcommand lives in its own module and is loaded only when used,
 * so `monoenv flags` does not pay for the AWS SDK clients of `monoenv experiment`.
 */
export interface CommandModule {
  /** Runs the subcommand with the arguments after its name; resolves to the process exit code. */
  run(argv: string[]): Promise<number>;
  readonly summary: string;
}

const commands: Record<string, () => CommandModule> = {
  flags: () => require('./flags/command') as CommandModule,
  experiment: () => require('./experiment/command') as CommandModule,
  local: () => require('./local/command') as CommandModule,
  doctor: () => require('./doctor') as CommandModule,
  smoke: () => require('./smoke') as CommandModule,
};

export function usage(): string {
  const lines = Object.keys(commands).map((name) => {
    let summary = '';
    try {
      summary = commands[name]().summary;
    } catch {
      summary = '(not available in this build)';
    }
    return `  ${name.padEnd(12)}${summary}`;
  });
  return ['usage: monoenv <command> [options]', '', 'commands:', ...lines, '', 'Run `monoenv <command> --help` for its options.'].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const load = commands[name];
  if (!load) {
    console.error(`monoenv: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  return load().run(rest);
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (err: Error) => {
      console.error(`monoenv: ${err.message}`);
      process.exitCode = 1;
    },
  );
}
