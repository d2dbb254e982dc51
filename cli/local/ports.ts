/** Loopback ports for local production: a requested port must be free; the default falls back to any free one. */
import { createServer } from 'node:net';
import { freePort } from './moto-server';

export const DEFAULT_RUNTIME_PORT = 4510;

export class PortInUseError extends Error {
  readonly code = 'PORT_IN_USE';
  constructor(
    readonly port: number,
    what: string,
    flag: string,
  ) {
    super(
      `port ${port} (${what}) is already in use on 127.0.0.1; stop what uses it (e.g. \`lsof -i :${port}\`) or pass ${flag} <other port>, or ${flag} 0 for any free port`,
    );
    this.name = 'PortInUseError';
  }
}

export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

export interface PortChoice {
  readonly port: number;
  /** Set when the default was taken and another port was chosen. */
  readonly note?: string;
}

/**
 * `requested` undefined: the default when free, else a free one (with a note saying so); 0: any free
 * port; a number: that port or a PortInUseError.
 */
export async function choosePort(
  requested: number | undefined,
  fallbackDefault: number | undefined,
  what: string,
  flag: string,
): Promise<PortChoice> {
  if (requested === 0 || (requested === undefined && fallbackDefault === undefined)) return { port: await freePort() };
  if (requested !== undefined) {
    if (!(await isPortFree(requested))) throw new PortInUseError(requested, what, flag);
    return { port: requested };
  }
  const preferred = fallbackDefault!;
  if (await isPortFree(preferred)) return { port: preferred };
  const port = await freePort();
  return { port, note: `port ${preferred} is in use, so the ${what} uses ${port} (pass ${flag} to choose)` };
}
