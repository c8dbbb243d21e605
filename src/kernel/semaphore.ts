/**
 * At most `limit` tasks at once; the rest wait in arrival order. Used where each task holds a
 * large amount of memory for its duration (an image decode), so that the peak is bounded by the
 * limit rather than by how many requests arrive together.
 */
export interface Semaphore {
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Tasks running now, and waiting for a turn. */
  readonly active: number;
  readonly waiting: number;
}

export function createSemaphore(limit: number): Semaphore {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`a semaphore needs a limit of at least 1 (got ${limit})`);
  let active = 0;
  const queue: Array<() => void> = [];
  const release = (): void => {
    const next = queue.shift();
    if (next === undefined) active--;
    else next();
  };
  return {
    async run(task) {
      if (active < limit) active++;
      else await new Promise<void>((resolve) => queue.push(resolve));
      try {
        return await task();
      } finally {
        release();
      }
    },
    get active() {
      return active;
    },
    get waiting() {
      return queue.length;
    },
  };
}

/**
 * A budget of units (bytes) shared by tasks that each hold a known amount for their duration:
 * a task starts when its amount fits beside those running, in arrival order (a large task at
 * the head is not overtaken, so it cannot starve). An amount over the whole budget could never
 * start: the caller refuses it beforehand (`fits`), `run` throws a RangeError.
 */
export interface Budget {
  run<T>(amount: number, task: () => Promise<T>): Promise<T>;
  fits(amount: number): boolean;
  readonly capacity: number;
  /** Units held now, and the most held at once since creation. */
  readonly used: number;
  readonly peak: number;
  readonly waiting: number;
}

export function createBudget(capacity: number): Budget {
  if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`a budget needs a capacity of at least 1 (got ${capacity})`);
  let used = 0;
  let peak = 0;
  const queue: Array<{ amount: number; start: () => void }> = [];
  const take = (amount: number): void => {
    used += amount;
    peak = Math.max(peak, used);
  };
  const admit = (): void => {
    while (queue.length > 0 && used + queue[0]!.amount <= capacity) {
      const next = queue.shift()!;
      take(next.amount);
      next.start();
    }
  };
  const fits = (amount: number): boolean => Number.isSafeInteger(amount) && amount >= 0 && amount <= capacity;
  return {
    async run(amount, task) {
      if (!fits(amount)) throw new RangeError(`${amount} does not fit a budget of ${capacity}`);
      if (queue.length === 0 && used + amount <= capacity) take(amount);
      else await new Promise<void>((start) => queue.push({ amount, start }));
      try {
        return await task();
      } finally {
        used -= amount;
        admit();
      }
    },
    fits,
    capacity,
    get used() {
      return used;
    },
    get peak() {
      return peak;
    },
    get waiting() {
      return queue.length;
    },
  };
}
