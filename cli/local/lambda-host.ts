/**
 * Runs a deployed Lambda as Lambda would: the zip terraform uploaded, unpacked, loaded in a thread of its own with
 * exactly the environment the function has in the (local) AWS, the AWS SDK from the runtime's NODE_PATH, and
 * credentials of its own (the access key id is the function name, so each AWS call can be told apart). moto stores
 * functions but cannot invoke them; this is the stand-in, and what ships is what runs: a bundling or
 * environment-variable mistake fails locally too.
 */
import { mkdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import extractZip from 'extract-zip';

export interface LambdaHostOptions {
  readonly functionName: string;
  /** The deployment package (the zip asset terraform uploaded). */
  readonly zipFile: string;
  /** Where the package is unpacked (emptied first). */
  readonly codeDir: string;
  /** `index.handler`: file and export, as in the function configuration. */
  readonly handler: string;
  /** The function's environment variables as deployed. */
  readonly environment: Readonly<Record<string, string>>;
  /** Where its AWS SDK calls go. */
  readonly awsEndpoint: string;
  readonly region: string;
  readonly timeoutSeconds: number;
  /** One line of the function's output (console and stdout), as CloudWatch Logs would get it. */
  readonly log: (line: string) => void;
}

export interface LambdaHost {
  readonly functionName: string;
  invoke(event: unknown): Promise<unknown>;
  close(): Promise<void>;
}

export class LambdaInvokeError extends Error {
  constructor(
    readonly functionName: string,
    readonly errorType: string,
    message: string,
  ) {
    super(`${functionName}: ${errorType}: ${message}`);
    this.name = 'LambdaInvokeError';
  }
}

/**
 * The code of the function's thread. Inline, because the worker must run as JavaScript whether monoenv runs from
 * dist/ or from its TypeScript sources (tests). It plays the Lambda Node.js runtime: NODE_PATH for the SDK, the
 * handler loaded once (init), then one invocation per message.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Module = require('node:module');
process.env.NODE_PATH = workerData.nodePath;
Module._initPaths();
const [file, exportName] = workerData.handler.split('.');
let handler;
let initError;
try {
  handler = require(require('node:path').join(workerData.codeDir, file))[exportName];
  if (typeof handler !== 'function') throw new Error('the module has no export ' + exportName);
} catch (error) {
  initError = error;
}
parentPort.on('message', async ({ id, event, deadline }) => {
  try {
    if (initError) throw initError;
    const context = { functionName: workerData.functionName, awsRequestId: id, getRemainingTimeInMillis: () => deadline - Date.now() };
    parentPort.postMessage({ id, result: await handler(event, context) });
  } catch (error) {
    parentPort.postMessage({ id, error: { type: (error && error.name) || 'Error', message: String((error && error.message) || error) } });
  }
});
`;

/** The node_modules folder that holds the AWS SDK: the runtime provides it, the bundles leave it out. */
function sdkNodePath(): string {
  const sdk = require.resolve('@aws-sdk/client-dynamodb/package.json');
  return sdk.slice(0, sdk.lastIndexOf(`${path.sep}@aws-sdk${path.sep}`));
}

export async function startLambdaHost(options: LambdaHostOptions): Promise<LambdaHost> {
  rmSync(options.codeDir, { recursive: true, force: true });
  mkdirSync(options.codeDir, { recursive: true });
  await extractZip(options.zipFile, { dir: path.resolve(options.codeDir) });

  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    stdout: true,
    stderr: true,
    workerData: {
      codeDir: path.resolve(options.codeDir),
      handler: options.handler,
      functionName: options.functionName,
      nodePath: sdkNodePath(),
    },
    // Only what Lambda gives a function: its own variables, its region and credentials; nothing of this process.
    env: {
      ...options.environment,
      AWS_REGION: options.region,
      AWS_DEFAULT_REGION: options.region,
      AWS_ACCESS_KEY_ID: options.functionName,
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL: options.awsEndpoint,
      AWS_LAMBDA_FUNCTION_NAME: options.functionName,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      PATH: process.env.PATH ?? '',
    },
  });
  for (const stream of [worker.stdout, worker.stderr]) {
    let pending = '';
    stream.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) options.log(line);
    });
  }

  let nextId = 0;
  const waiting = new Map<string, { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();
  const failAll = (error: Error) => {
    for (const [id, call] of waiting) {
      clearTimeout(call.timer);
      call.reject(error);
      waiting.delete(id);
    }
  };
  worker.on('message', ({ id, result, error }: { id: string; result?: unknown; error?: { type: string; message: string } }) => {
    const call = waiting.get(id);
    if (!call) return;
    waiting.delete(id);
    clearTimeout(call.timer);
    if (error) call.reject(new LambdaInvokeError(options.functionName, error.type, error.message));
    else call.resolve(result);
  });
  worker.on('error', (error) => failAll(new LambdaInvokeError(options.functionName, 'Runtime.ExitError', error.message)));
  worker.on('exit', (code) =>
    failAll(new LambdaInvokeError(options.functionName, 'Runtime.ExitError', `the function's thread exited (${code})`)),
  );

  return {
    functionName: options.functionName,
    invoke(event) {
      const id = `${options.functionName}-${++nextId}`;
      const timeoutMs = options.timeoutSeconds * 1000;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new LambdaInvokeError(options.functionName, 'Sandbox.Timedout', `Task timed out after ${options.timeoutSeconds} seconds`));
        }, timeoutMs);
        waiting.set(id, { resolve, reject, timer });
        worker.postMessage({ id, event, deadline: Date.now() + timeoutMs });
      });
    },
    async close() {
      failAll(new LambdaInvokeError(options.functionName, 'Runtime.Shutdown', 'the local runtime is stopping'));
      worker.removeAllListeners('exit');
      await worker.terminate();
    },
  };
}
