/**
 * `.monoenv/local/state.json`: how other tools find a running local production (the flags and experiment
 * CLIs read `flagsTable`, `analyticsTable`, `awsEndpoint`, `region`; `monoenv doctor` reads `awsEndpoint`).
 * Written once everything answers; removed by a clean stop. Git-ignored (`.monoenv/`).
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as z from 'zod';

export const LOCAL_DIR = join('.monoenv', 'local');
export const STATE_FILE = join(LOCAL_DIR, 'state.json');

const port = z.number().int().min(1).max(65535);
const pid = z.number().int().positive();
const url = z.url({ error: 'must be a URL' });

export const localStateSchema = z.object({
  /** `starting` while moto runs and terraform applies; `running` once the runtime serves. */
  status: z.enum(['starting', 'running']),
  startedAt: z.iso.datetime({ error: 'must be an ISO date-time' }),
  /** The moto server every AWS call goes to. */
  awsEndpoint: url,
  region: z.string().min(1),
  pids: z.object({
    /** The `npm start` process: it runs the Lambdas in-process and owns moto. */
    runtime: pid,
    moto: pid,
  }),
  ports: z.object({ moto: port, runtime: port.optional() }),
  /** Filled in once terraform applied. */
  flagsUrl: url.optional(),
  eventsUrl: url.optional(),
  flagsTable: z.string().min(1).optional(),
  analyticsTable: z.string().min(1).optional(),
  eventStream: z.string().min(1).optional(),
  flagsApiKeysSecret: z.string().min(1).optional(),
  eventsWriteKeySecret: z.string().min(1).optional(),
});

export type LocalState = z.infer<typeof localStateSchema>;

export class LocalStateError extends Error {
  constructor(
    readonly code: 'STATE_UNREADABLE' | 'STATE_INVALID',
    message: string,
  ) {
    super(message);
    this.name = 'LocalStateError';
  }
}

export const stateFilePath = (projectDir: string): string => join(projectDir, STATE_FILE);

/** The state, undefined when there is none; a clear error naming the field when it is damaged. */
export function readLocalState(projectDir: string): LocalState | undefined {
  const file = stateFilePath(projectDir);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new LocalStateError('STATE_UNREADABLE', `cannot read ${file}: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new LocalStateError('STATE_INVALID', `${file} is not valid JSON (${(error as Error).message}); delete it or run \`npm stop\``);
  }
  const parsed = localStateSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
    throw new LocalStateError('STATE_INVALID', `${file} is damaged (${problems}); delete it or run \`npm stop\``);
  }
  return parsed.data;
}

/** Written to a temporary file and renamed, so a reader never sees half a file. */
export function writeLocalState(projectDir: string, state: LocalState): void {
  const file = stateFilePath(projectDir);
  mkdirSync(dirname(file), { recursive: true });
  const validated = localStateSchema.parse(state);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(validated, null, 2)}\n`);
  renameSync(temporary, file);
}

export function removeLocalState(projectDir: string): void {
  rmSync(stateFilePath(projectDir), { force: true });
}
