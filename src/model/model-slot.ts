/**
 * The installed model as a running node sees it: read from its file on first use and again
 * whenever the file changes (a retrain renames a new one over it), so `wildintel node model
 * retrain` takes effect at the next scan without a restart. No file: no model, and scans carry
 * no score. A file that does not parse keeps the model in use (logged by the caller).
 */
import { statSync } from 'node:fs';
import type { ListingModel } from './listing-model.js';
import { readModelFile } from './model-files.js';

export interface ModelSlot {
  current(): ListingModel | undefined;
}

export function createModelSlot(file: string, onError: (err: unknown) => void = () => undefined): ModelSlot {
  let model: ListingModel | undefined;
  let seen = '';
  return {
    current() {
      let stamp: string;
      try {
        const s = statSync(file);
        stamp = `${s.mtimeMs}:${s.size}:${s.ino}`;
      } catch {
        return model;
      }
      if (stamp !== seen) {
        seen = stamp;
        try {
          model = readModelFile(file);
        } catch (err) {
          onError(err);
        }
      }
      return model;
    },
  };
}
