import type { Writable } from 'node:stream';
import type { Sink } from './misp-feed.js';

/**
 * A Sink onto a Node stream that honours backpressure: a write that fills the stream's buffer
 * waits for 'drain', so a slow reader slows the database reads instead of filling memory. A
 * stream that closes or fails meanwhile (the client went away) rejects the write.
 */
export function streamSink(stream: Writable): Sink {
  return (chunk) => {
    if (stream.destroyed || stream.writableEnded) return Promise.reject(new Error('the output closed before the feed was written'));
    if (stream.write(chunk)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const done = (err?: Error): void => {
        stream.off('drain', onDrain);
        stream.off('close', onClose);
        stream.off('error', onError);
        if (err === undefined) resolve();
        else reject(err);
      };
      const onDrain = (): void => done();
      const onClose = (): void => done(new Error('the output closed before the feed was written'));
      const onError = (err: Error): void => done(err);
      stream.on('drain', onDrain);
      stream.on('close', onClose);
      stream.on('error', onError);
    });
  };
}
