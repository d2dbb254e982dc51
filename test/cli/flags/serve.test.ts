import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OFREPApi, OFREPApiUnauthorizedError } from '@openfeature/ofrep-core';
import { serveFlagDir, type FlagServer } from '../../../cli/flags/serve';
import { tempDir } from '../../support/temp';

const flagFile = (defaultVariant: string) =>
  JSON.stringify({ flags: { greeting: { state: 'ENABLED', variants: { hi: 'hello', yo: 'yo!' }, defaultVariant } } });

describe('monoenv flags serve: the OFREP handler over flag files, reloaded on change', () => {
  let dir: string;
  let server: FlagServer;
  const lines: string[] = [];
  let waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  /** Resolves with the next log line matching `pattern` (the server logs every reload attempt). */
  const nextLog = (pattern: RegExp) => new Promise<string>((resolve) => waiters.push({ pattern, resolve }));
  const api = () => new OFREPApi({ baseUrl: server.url, headers: [['X-API-Key', 'local-key']] });

  beforeAll(async () => {
    dir = tempDir('monoenv-flags-');
    writeFileSync(join(dir, 'greeting.json'), flagFile('hi'));
    server = await serveFlagDir({
      dir,
      apiKey: 'local-key',
      debounceMs: 20,
      log: (line) => {
        lines.push(line);
        const matched = waiters.filter((w) => w.pattern.test(line));
        waiters = waiters.filter((w) => !matched.includes(w));
        matched.forEach((w) => w.resolve(line));
      },
    });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the files, requiring the key it was given', async () => {
    expect((await api().postEvaluateFlag('greeting', { context: {} })).value).toMatchObject({ value: 'hello', variant: 'hi' });
    await expect(new OFREPApi({ baseUrl: server.url }).postEvaluateFlag('greeting', { context: {} })).rejects.toBeInstanceOf(
      OFREPApiUnauthorizedError,
    );
  });

  it('reloads an edited file', async () => {
    const reloaded = nextLog(/flags reloaded/);
    writeFileSync(join(dir, 'greeting.json'), flagFile('yo'));
    await reloaded;
    expect((await api().postEvaluateFlag('greeting', { context: {} })).value).toMatchObject({ value: 'yo!', variant: 'yo' });
  });

  it('keeps the last good set when an edit is invalid, and prints the issues with file, flag and field', async () => {
    const rejected = nextLog(/not reloaded/);
    writeFileSync(join(dir, 'greeting.json'), flagFile('nope'));
    const message = await rejected;
    expect(message).toMatch(/greeting\.json/);
    expect(message).toMatch(/\[flag greeting\]/);
    expect(message).toMatch(/defaultVariant/);
    expect((await api().postEvaluateFlag('greeting', { context: {} })).value).toMatchObject({ value: 'yo!' });

    const brokenJson = nextLog(/not reloaded/);
    writeFileSync(join(dir, 'greeting.json'), '{"flags": ');
    expect(await brokenJson).toMatch(/not valid JSON/);
    expect((await api().postEvaluateFlag('greeting', { context: {} })).value).toMatchObject({ value: 'yo!' });
  });

  it('picks up a new file', async () => {
    const fixed = nextLog(/flags reloaded/);
    writeFileSync(join(dir, 'greeting.json'), flagFile('hi'));
    writeFileSync(
      join(dir, 'extra.json'),
      JSON.stringify({ flags: { extra: { state: 'ENABLED', variants: { on: true }, defaultVariant: 'on' } } }),
    );
    await fixed;
    await server.reload(); // both writes may have landed in separate debounced reloads
    expect((await api().postEvaluateFlag('extra', { context: {} })).value).toMatchObject({ value: true });
  });
});
