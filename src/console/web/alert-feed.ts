import type { LiveAlert } from './api.js';

/** Alerts as the socket delivers them, to whichever view is listening. */
function createFeed() {
  const listeners = new Set<(alert: LiveAlert) => void>();
  return {
    publish(alert: LiveAlert): void {
      for (const l of listeners) l(alert);
    },
    listen(listener: (alert: LiveAlert) => void): () => void {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}

export const alertFeed = createFeed();
