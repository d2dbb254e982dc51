import { watch, type FSWatcher } from 'node:fs';
import { staticApiKeys } from '../../lambdas/shared/api-keys';
import { serveHttp } from '../../lambdas/shared/node-http';
import type { CompiledFlagSet } from '../../domain/flags/evaluator';
import { createOfrepHandler } from '../../lambdas/flag-evaluation/ofrep';
import { loadFlagDir } from '../../domain/flags/flag-files';

/**
 * `monoenv flags serve`: the same OFREP handler as the Lambda, over flag files held in memory and
 * reloaded when they change. An invalid edit keeps the last good set and prints what is wrong.
 */
export interface FlagServerOptions {
  readonly dir: string;
  /** @default 0 - a free port */
  readonly port?: number;
  /** @default 127.0.0.1 */
  readonly host?: string;
  /** Require this key (a server key: it sees every flag); without it the server is keyless (`apiKeys: 'none'`). */
  readonly apiKey?: string;
  /** Quiet time after the last change before reloading. @default 100 */
  readonly debounceMs?: number;
  /** Browser origins allowed. @default ['*'] */
  readonly corsAllowOrigins?: readonly string[];
  readonly log?: (line: string) => void;
}

export interface FlagServer {
  readonly url: string;
  /** The revision being served. */
  revision(): string;
  /** Reloads now; resolves to whether the files were valid. */
  reload(): boolean;
  close(): Promise<void>;
}

export async function serveFlagDir(options: FlagServerOptions): Promise<FlagServer> {
  const log = options.log ?? ((line) => console.log(line));
  let current: CompiledFlagSet = loadFlagDir(options.dir).set; // the first load must be valid
  const loadedAt = Date.now();
  let lastLoadMs = loadedAt;

  const reload = (): boolean => {
    try {
      const next = loadFlagDir(options.dir).set;
      lastLoadMs = Date.now();
      if (next.revision !== current.revision) log(`flags reloaded: ${next.flags.size} flags, revision ${next.revision}`);
      current = next;
      return true;
    } catch (error) {
      log(`flag files not reloaded, still serving revision ${current.revision}:\n${(error as Error).message}`);
      return false;
    }
  };

  const handler = createOfrepHandler({
    flags: async () => ({ set: current, stale: false, ageSeconds: (Date.now() - lastLoadMs) / 1000 }),
    // Local development: keyless unless --api-key (the command says which when it starts).
    apiKeys: options.apiKey ? staticApiKeys({ server: [options.apiKey], client: [options.apiKey] }) : 'none',
    cors: { allowOrigins: options.corsAllowOrigins ?? ['*'] },
    logError: (message, error) => log(`${message}: ${(error as Error)?.message ?? String(error)}`),
  });
  const server = await serveHttp(handler, {
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    // A client that left before its request was complete: one line, not an error.
    log,
  });

  // Editors save by writing or by renaming over the file, in bursts: watch the folder, reload once quiet.
  let timer: NodeJS.Timeout | undefined;
  const watcher: FSWatcher = watch(options.dir, (_event, filename) => {
    if (filename && !String(filename).endsWith('.json')) return;
    clearTimeout(timer);
    timer = setTimeout(reload, options.debounceMs ?? 100);
  });

  return {
    url: server.url,
    revision: () => current.revision,
    reload,
    close: async () => {
      clearTimeout(timer);
      watcher.close();
      await server.close();
    },
  };
}
