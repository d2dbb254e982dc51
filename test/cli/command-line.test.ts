import { integerOption, parseCommandLine, UsageError, usageOf, type CommandSpec, type OptionSpecs } from '../../cli/command-line';

const spec = {
  name: 'demo',
  synopsis: '<command> [options]',
  description: 'A command declared once.',
  subcommands: [
    { name: 'show', args: '<key>', summary: 'one thing' },
    { name: 'list', summary: 'all things' },
  ],
  options: {
    table: { type: 'string', value: 'name', description: 'the table' },
    json: { type: 'boolean', description: 'print JSON' },
  },
  footer: 'exit codes: 0 ok, 2 bad usage.',
} as const satisfies CommandSpec<OptionSpecs>;

describe('a command declared once', () => {
  it('makes its usage from the declaration: commands with their arguments, options with their values, help', () => {
    expect(usageOf(spec)).toBe(
      [
        'usage: monoenv demo <command> [options]',
        '',
        'A command declared once.',
        '',
        'commands:',
        '  show <key>  one thing',
        '  list        all things',
        '',
        'options:',
        '  --table <name>  the table',
        '  --json          print JSON',
        '  -h, --help      show this help',
        '',
        'exit codes: 0 ok, 2 bad usage.',
      ].join('\n'),
    );
  });

  it('parses to typed values and positionals, with --help/-h', () => {
    const parsed = parseCommandLine(spec, ['show', 'k1', '--table', 't', '--json']);
    expect(parsed).toEqual({ positionals: ['show', 'k1'], values: { table: 't', json: true }, help: false });
    expect(parseCommandLine(spec, ['-h']).help).toBe(true);
  });

  it('refuses unknown options and missing values as usage errors', () => {
    expect(() => parseCommandLine(spec, ['--colour'])).toThrow(UsageError);
    expect(() => parseCommandLine(spec, ['--table'])).toThrow(/--table/);
  });

  it('reads whole-number options within bounds', () => {
    expect(integerOption(undefined, 'port', 0, 9)).toBeUndefined();
    expect(integerOption('7', 'port', 0, 9)).toBe(7);
    expect(() => integerOption('7.5', 'port', 0, 9)).toThrow("--port must be a whole number from 0 to 9, got '7.5'");
    expect(() => integerOption('10', 'port', 0, 9)).toThrow(UsageError);
  });
});
