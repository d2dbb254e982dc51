/**
 * Waiting with a deadline: `untilAborted` settles with ABORTED as soon as the signal aborts, whether or not the
 * awaited work heeds the signal, so a call that hangs cannot hold a Lambda past its time.
 */
export const ABORTED: unique symbol = Symbol('aborted');

export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T | typeof ABORTED> {
  if (!signal) return work;
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.resolve(ABORTED);
  }
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(ABORTED);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** A signal that aborts `budgetMs` from now (at once when the budget is spent); `clear` stops its timer. */
export function deadlineSignal(budgetMs: number): { readonly signal: AbortSignal; clear(): void } {
  const controller = new AbortController();
  if (budgetMs <= 0) {
    controller.abort();
    return { signal: controller.signal, clear: () => undefined };
  }
  const timer = setTimeout(() => controller.abort(), budgetMs);
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}
