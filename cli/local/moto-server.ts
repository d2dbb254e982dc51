import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { motoLaunch, type MotoLaunch } from './moto-launcher';

/** A running moto server on loopback, stopped by its process id. */
export interface MotoServer {
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number;
  /** Resolves with how the process ended (code, signal, last stderr lines) once it exits, expected or not. */
  readonly exited: Promise<string>;
  stop(): Promise<void>;
}

export interface StartMotoOptions {
  /** @default - a free port chosen by the OS */
  readonly port?: number;
  /** @default 30000 */
  readonly startTimeoutMs?: number;
  /** @default - motoLaunch(): MONOENV_MOTO_SERVER, else python3 with moto (patched), else moto_server on the PATH */
  readonly launch?: MotoLaunch;
  /**
   * Run moto in its own process group, so a Ctrl-C in the terminal reaches only its parent, which then
   * stops it in order (instead of moto dying first and looking like a crash). @default false
   */
  readonly ownProcessGroup?: boolean;
}

/** Whether moto can be started here; the reason when it cannot. */
export function motoAvailability(): { available: true } | { available: false; reason: string } {
  const launch = motoLaunch();
  const probe = spawnSync(launch.command, [...launch.args, '--help'], { stdio: 'ignore', timeout: 20000 });
  if (probe.error || probe.status !== 0) {
    return {
      available: false,
      reason: `moto not runnable as ${launch.description} (${probe.error?.message ?? `exit ${probe.status}`}); install it with: pip install 'moto[server]'`,
    };
  }
  return { available: true };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitUntilUp(endpoint: string, deadline: number, exited: () => string | undefined): Promise<void> {
  let lastError = '';
  while (Date.now() < deadline) {
    const exit = exited();
    if (exit) throw new Error(`moto_server exited before it was ready: ${exit}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/data.json`);
      if (res.ok) return;
      lastError = `HTTP ${res.status}`;
    } catch (err) {
      lastError = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`moto_server did not answer at ${endpoint} in time (${lastError})`);
}

/** Starts moto_server on 127.0.0.1 only. */
export async function startMoto(options: StartMotoOptions = {}): Promise<MotoServer> {
  const port = options.port ?? (await freePort());
  const endpoint = `http://127.0.0.1:${port}`;
  const launch = options.launch ?? motoLaunch();
  const child = spawn(launch.command, [...launch.args, '-H', '127.0.0.1', '-p', String(port)], {
    env: { ...process.env, MOTO_IAM_LOAD_MANAGED_POLICIES: 'true' },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: options.ownProcessGroup ?? false,
  });
  let stderr = '';
  let exitInfo: string | undefined;
  let reportExit: (info: string) => void = () => undefined;
  const exited = new Promise<string>((resolve) => {
    reportExit = resolve;
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  child.on('exit', (code, signal) => {
    exitInfo = `code ${code} signal ${signal}; ${stderr.trim().split('\n').slice(-3).join(' | ')}`;
    reportExit(exitInfo);
  });
  child.on('error', (err) => {
    exitInfo = err.message;
    reportExit(exitInfo);
  });
  const pid = child.pid;
  if (!pid) throw new Error(`could not start moto (${launch.description})`);
  try {
    await waitUntilUp(endpoint, Date.now() + (options.startTimeoutMs ?? 30000), () => exitInfo);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    endpoint,
    port,
    pid,
    exited,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exitInfo !== undefined) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        process.kill(pid, 'SIGTERM');
      }),
  };
}

/** Client settings for AWS SDK v3 clients talking to a local moto server. */
export function motoClientConfig(endpoint: string, region = 'us-east-1') {
  return {
    endpoint,
    region,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
}
