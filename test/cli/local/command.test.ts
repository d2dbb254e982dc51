import { run, USAGE } from '../../../cli/local/command';

describe('monoenv local: usage', () => {
  let errors: string[];
  let printed: string[];
  beforeEach(() => {
    errors = [];
    printed = [];
    jest.spyOn(console, 'error').mockImplementation((text: string) => {
      errors.push(text);
    });
    jest.spyOn(console, 'log').mockImplementation((text: string) => {
      printed.push(text);
    });
  });
  afterEach(() => jest.restoreAllMocks());

  it('refuses a port that is not a port number before starting anything (exit 2, with the usage)', async () => {
    expect(await run(['start', '--port', 'eighty'])).toBe(2);
    expect(errors.join('\n')).toMatch(/--port must be a whole number from 0 to 65535, got 'eighty'[\s\S]*usage: monoenv local/);
    expect(await run(['start', '--aws-port', '70000'])).toBe(2);
    expect(printed).toEqual([]); // nothing claims to be starting
  });

  it('refuses a schedule interval that is not 1..3600 whole seconds, from the flag or MONOENV_LOCAL_SCHEDULE_SECONDS, before starting anything', async () => {
    expect(await run(['start', '--schedule-interval', '0'])).toBe(2);
    expect(errors.join('\n')).toMatch(/--schedule-interval must be a whole number from 1 to 3600, got '0'[\s\S]*usage: monoenv local/);
    process.env.MONOENV_LOCAL_SCHEDULE_SECONDS = 'often';
    try {
      expect(await run(['start'])).toBe(2);
    } finally {
      delete process.env.MONOENV_LOCAL_SCHEDULE_SECONDS;
    }
    expect(errors.join('\n')).toMatch(/MONOENV_LOCAL_SCHEDULE_SECONDS must be a whole number from 1 to 3600 \(seconds\), got 'often'/);
    expect(printed).toEqual([]);
    expect(USAGE).toMatch(/--schedule-interval <seconds>\s+run schedules of an hour or less/);
  });

  it('refuses an unknown command, option or extra argument (exit 2)', async () => {
    expect(await run(['restart'])).toBe(2);
    expect(await run(['start', '--colour'])).toBe(2);
    expect(await run(['stop', 'now'])).toBe(2);
    expect(await run([])).toBe(2);
    expect(errors.every((text) => text.includes('usage: monoenv local'))).toBe(true);
  });

  it('lists its commands and options from one declaration', () => {
    expect(USAGE).toMatch(/start\s+moto on loopback/);
    expect(USAGE).toMatch(/--port <n>\s+port of the local APIs/);
    expect(USAGE).toMatch(/-h, --help\s+show this help/);
  });
});
