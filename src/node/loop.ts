import type { Logger } from '../kernel/index.js';

export interface BackgroundLoop {
  /** Runs the step now (or right after the current run), instead of at its scheduled time. */
  wake(): void;
  /** Stops scheduling and waits for a run in progress. */
  stop(): Promise<void>;
}

/**
 * Runs `step` over and over: the step returns how long to wait before its next run (undefined:
 * until woken). A step that throws is logged and retried after `errorDelayMs`. Wall-clock
 * scheduling lives only here; the steps read time from the injected clock, so tests drive them
 * directly.
 */
export function startLoop(name: string, step: () => Promise<number | undefined>, options: { logger: Logger; errorDelayMs: number }): BackgroundLoop {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  const schedule = (delay: number | undefined): void => {
    clearTimeout(timer);
    timer = delay === undefined || stopped ? undefined : setTimeout(run, Math.max(0, delay));
  };
  const run = (): void => {
    if (stopped) return;
    if (running !== undefined) {
      again = true;
      return;
    }
    clearTimeout(timer);
    running = step().then(
      (delay) => {
        running = undefined;
        if (again) {
          again = false;
          schedule(0);
        } else schedule(delay);
      },
      (err: unknown) => {
        running = undefined;
        again = false;
        // Type, code and message only: never the error object, whose fields may hold query parameters.
        const e = err as Error & { code?: unknown };
        options.logger.warn({ loop: name, error: { type: e.name, code: e.code, message: e.message } }, `${name} failed; trying again`);
        schedule(options.errorDelayMs);
      },
    );
  };
  schedule(0);
  return {
    wake: run,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
