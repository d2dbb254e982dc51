/**
 * The `monoenv` command. Each subcommand lives in its own module and is loaded only when used,
 * so `monoenv flags` does not pay for the AWS SDK clients of `monoenv experiment`.
 */
export interface CommandModule {
  /** Runs the subcommand with the arguments after its name; resolves to the process exit code. */
  run(argv: string[]): Promise<number>;
}

// Summaries live here, not in the modules: `monoenv --help` would otherwise load every command (`local`
// alone pulls in cdktf and the AWS provider, about a second).
const commands: Record<string, { summary: string; load: () => CommandModule }> = {
  flags: {
    summary: 'list, show and edit feature flags at run time; guarded rollouts and scheduled changes; serve flag files locally',
    load: () => require('./flags/command') as CommandModule,
  },
  experiment: {
    summary: 'experiment results: lift with 95% intervals, p-values and the sample-ratio check',
    load: () => require('./experiment/command') as CommandModule,
  },
  local: {
    summary: 'local production: the production stack on a local AWS (moto) with the Lambdas served in-process',
    load: () => require('./local/command') as CommandModule,
  },
  doctor: {
    summary: 'check Node, Terraform, the AWS provider, credentials and the config; says what to fix',
    load: () => require('./doctor') as CommandModule,
  },
  smoke: {
    summary: 'post-deploy check of production: service health, OFREP evaluation, one ingested event',
    load: () => require('./smoke') as CommandModule,
  },
};

/** The command names, as `monoenv <command>` takes them. */
export function commandNames(): string[] {
  return Object.keys(commands);
}

export function usage(): string {
  const lines = Object.entries(commands).map(([name, { summary }]) => `  ${name.padEnd(12)}${summary}`);
  return ['usage: monoenv <command> [options]', '', 'commands:', ...lines, '', 'Run `monoenv <command> --help` for its options.'].join(
    '\n',
  );
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    console.error(`monoenv: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  return command.load().run(rest);
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: Error) => {
      console.error(`monoenv: ${err.message}`);
      process.exitCode = 1;
    },
  );
}
