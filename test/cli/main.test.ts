import { commandNames, main, usage } from '../../cli/main';

// `monoenv --help` is the cheapest start: it must not load the command modules (`local` alone loads cdktf).
const modules = [
  '../../cli/flags/command',
  '../../cli/experiment/command',
  '../../cli/local/command',
  '../../cli/doctor',
  '../../cli/smoke',
];
for (const path of modules) {
  jest.mock(path, () => {
    throw new Error(`${path} was loaded`);
  });
}

describe('monoenv --help', () => {
  it('lists every command with its summary without loading any of them', async () => {
    const text = usage();
    expect(commandNames()).toEqual(['flags', 'experiment', 'local', 'doctor', 'smoke']);
    for (const name of commandNames()) expect(text).toMatch(new RegExp(`^  ${name} +\\w.{20,}$`, 'm'));
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      expect(await main(['--help'])).toBe(0);
      expect(log).toHaveBeenCalledWith(text);
    } finally {
      log.mockRestore();
    }
  });

  it('loads a command only when it runs', async () => {
    await expect(main(['doctor'])).rejects.toThrow('../../cli/doctor was loaded');
  });
});
