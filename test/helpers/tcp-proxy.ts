/**
 * A TCP proxy for failure tests: member nodes reach the hub through it, and the test makes the
 * network fail in the ways a real one does.
 *
 * - `forward`: bytes pass both ways;
 * - `refuse`: nothing listens on the port (connect → ECONNREFUSED);
 * - `blackhole`: connections are accepted and what is sent is swallowed; nothing ever answers
 *   (a partition without resets: the client waits until its timeout, or until the mode changes);
 * - `lose-answers`: requests reach the hub, which acts on them, but each connection is cut as
 *   soon as the hub starts answering: the client never learns that its request was done.
 *
 * Changing the mode cuts every open connection, so nothing from the previous mode lingers.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export type ProxyMode = 'forward' | 'refuse' | 'blackhole' | 'lose-answers';

export interface TcpProxy {
  readonly port: number;
  readonly url: string;
  readonly mode: ProxyMode;
  /** Connections accepted and answers cut, per mode, since the proxy started. */
  readonly counts: Readonly<Record<'accepted' | 'answersCut', number>>;
  setMode(mode: ProxyMode): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const counts = { accepted: 0, answersCut: 0 };
  let mode: ProxyMode = 'forward';
  let server: Server | undefined;
  let port = 0;

  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };

  const onConnection = (client: Socket): void => {
    counts.accepted++;
    track(client);
    if (mode === 'blackhole') {
      client.resume();
      return;
    }
    const upstream = connect(target.port, target.host);
    track(upstream);
    const cut = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.once('close', cut);
    upstream.once('close', cut);
    client.pipe(upstream);
    if (mode === 'lose-answers') {
      upstream.once('data', () => {
        counts.answersCut++;
        cut();
      });
    } else {
      upstream.pipe(client);
    }
  };

  const listen = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const s = createServer(onConnection);
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        s.off('error', reject);
        const address = s.address();
        if (typeof address === 'object' && address !== null) port = address.port;
        server = s;
        resolve();
      });
    });
  const stopListening = (): Promise<void> =>
    new Promise((resolve) => {
      const s = server;
      server = undefined;
      if (s === undefined) resolve();
      else s.close(() => resolve());
    });
  const cutAll = (): void => {
    for (const socket of sockets) socket.destroy();
  };

  await listen();
  return {
    get port() {
      return port;
    },
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get mode() {
      return mode;
    },
    counts,
    async setMode(next) {
      const closed = next === 'refuse' ? stopListening() : Promise.resolve();
      cutAll();
      await closed;
      mode = next;
      if (next !== 'refuse' && server === undefined) await listen();
    },
    async close() {
      cutAll();
      await stopListening();
    },
  };
}
