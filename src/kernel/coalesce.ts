/**
 * Calls of `fn` that each get the result of a run that started after they were made, with one
 * run at a time: a call made during a run waits for the next one, which every call made
 * meanwhile shares. For reads that must see everything committed before the call (a catch-up of
 * the matching indexes, the primary's WAL position) without one query per caller.
 */
export function startedAfterCall<T>(fn: () => Promise<T>): () => Promise<T> {
  let current: Promise<T> | undefined;
  let following: Promise<T> | undefined;
  const next = (): Promise<T> => {
    if (current === undefined) {
      current = fn().finally(() => (current = undefined));
      return current;
    }
    const after = (): Promise<T> => ((following = undefined), next());
    following ??= current.then(after, after);
    return following;
  };
  return next;
}

/** Calls of `fn` that share the run under way, if any (when any recent answer will do). */
export function sharedRun<T>(fn: () => Promise<T>): () => Promise<T> {
  let current: Promise<T> | undefined;
  return () => (current ??= fn().finally(() => (current = undefined)));
}
