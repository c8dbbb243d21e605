import type { Tlp } from '../indicators/index.js';

/** An accepted batch as announced to subscriptions. */
export interface BatchAnnouncement {
  readonly member: string;
  readonly batchId: string;
  readonly tlp: Tlp;
}

/** Fan-out of announcements (accepted batches, filed referrals) to live subscriptions in this process. */
export interface Events<A> {
  publish(announcement: A): void;
  /**
   * An iterator over batches announced from now on, mapped by `expand` (which may yield nothing
   * for a batch). Unlike an async generator, `return()` ends it at once even while it waits, so
   * a client that unsubscribes leaves nothing behind.
   */
  subscribe<T>(expand: (announcement: A) => Promise<T[]>): AsyncIterableIterator<T>;
  readonly subscribers: number;
}

export type BatchEvents = Events<BatchAnnouncement>;

/** Each subscriber's backlog is bounded; a subscriber that falls this far behind is ended. */
const MAX_BACKLOG = 10_000;

export const createBatchEvents = (): BatchEvents => createEvents<BatchAnnouncement>();

export function createEvents<A>(): Events<A> {
  const queues = new Set<(announcement: A) => void>();
  return {
    publish(batch) {
      for (const push of queues) push(batch);
    },
    get subscribers() {
      return queues.size;
    },
    subscribe<T>(expand: (announcement: A) => Promise<T[]>): AsyncIterableIterator<T> {
      const backlog: A[] = [];
      const ready: T[] = [];
      let wake: (() => void) | undefined;
      let done = false;
      const push = (batch: A): void => {
        if (backlog.length >= MAX_BACKLOG) return void finish();
        backlog.push(batch);
        wake?.();
      };
      const finish = (): void => {
        done = true;
        queues.delete(push);
        wake?.();
      };
      queues.add(push);
      const iterator: AsyncIterableIterator<T> = {
        async next() {
          while (!done) {
            if (ready.length > 0) return { value: ready.shift()!, done: false };
            const batch = backlog.shift();
            if (batch !== undefined) {
              ready.push(...(await expand(batch)));
              continue;
            }
            await new Promise<void>((resolve) => (wake = resolve));
            wake = undefined;
          }
          return { value: undefined, done: true };
        },
        async return() {
          finish();
          return { value: undefined, done: true };
        },
        [Symbol.asyncIterator]() {
          return iterator;
        },
      };
      return iterator;
    },
  };
}
