import { createServer, type Server } from 'node:net';
import { choosePort, isPortFree, PortInUseError } from '../../../cli/local/ports';

function occupy(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}

describe('ports for local production', () => {
  let taken: { server: Server; port: number };
  beforeAll(async () => {
    taken = await occupy();
  });
  afterAll(() => new Promise<void>((resolve) => taken.server.close(() => resolve())));

  it('knows a taken port from a free one', async () => {
    expect(await isPortFree(taken.port)).toBe(false);
    const free = await choosePort(0, undefined, 'x', '--port');
    expect(await isPortFree(free.port)).toBe(true);
  });

  it('a requested port that is taken is a clear error naming the port and the option', async () => {
    const attempt = choosePort(taken.port, 4510, 'local APIs', '--port');
    await expect(attempt).rejects.toBeInstanceOf(PortInUseError);
    await expect(attempt).rejects.toThrow(new RegExp(`port ${taken.port} \\(local APIs\\) is already in use.*--port`));
  });

  it('a taken default falls back to a free port and says so', async () => {
    const choice = await choosePort(undefined, taken.port, 'local APIs', '--port');
    expect(choice.port).not.toBe(taken.port);
    expect(choice.note).toContain(`port ${taken.port} is in use`);
  });

  it('a free default is used as is', async () => {
    const free = (await choosePort(0, undefined, 'x', '--port')).port;
    expect(await choosePort(undefined, free, 'x', '--port')).toEqual({ port: free });
  });
});
