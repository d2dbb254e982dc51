import { systemClock, type Clock } from './clock';

/**
 * What a Lambda reads the time from and writes its output to. Injected, so tests and the local runtime
 * capture metrics and logs instead of printing them, and decide what "now" is.
 */
export interface LambdaIo {
  readonly now: Clock;
  /** One line on stdout, which Lambda ships to CloudWatch Logs: EMF metric lines and JSON log lines. */
  readonly writeLine: (line: string) => void;
  /** A failure that does not fail the request (a refresh, a side write), for an operator to see. */
  readonly logError: (message: string, error?: unknown) => void;
}

export const defaultLambdaIo: LambdaIo = {
  now: systemClock,
  writeLine: (line) => process.stdout.write(`${line}\n`),
  logError: (message, error) => console.error(message, error),
};

export const lambdaIo = (overrides: Partial<LambdaIo> = {}): LambdaIo => ({ ...defaultLambdaIo, ...overrides });
