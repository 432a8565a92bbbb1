import net from 'node:net';

/** A running gateway: the port clients connect to, and how to stop it. */
export interface SerialGateway {
  port: number;
  close(): Promise<void>;
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

/**
 * A TCP gateway in front of a PGlite socket server that lends the single PGlite backend to one
 * client connection at a time: from the client's first message until the backend is idle again
 * (ReadyForQuery with status `I` for every Sync or Query sent). pglite-socket's multiplexer
 * interleaves extended-protocol messages of concurrent connections (electric-sql/pglite#1046:
 * "portal does not exist", answers delivered to the wrong query) once several processes share it;
 * a real server gives each connection its own backend, so whole turns is the faithful stand-in.
 * A client that disconnects inside a transaction has it rolled back, as a real server does when
 * the process holding it is killed.
 */
export async function startSerialGateway(upstreamPort: number): Promise<SerialGateway> {
  const waiters: (() => void)[] = [];
  let owner: object | undefined;
  const acquire = (who: object): Promise<void> => {
    if (owner === undefined || owner === who) {
      owner = who;
      return Promise.resolve();
    }
    return new Promise((resolve) =>
      waiters.push(() => {
        owner = who;
        resolve();
      }),
    );
  };
  const release = (who: object) => {
    if (owner !== who) return;
    owner = undefined;
    waiters.shift()?.();
  };
  const sockets = new Set<net.Socket>();

  const server = net.createServer((client) => {
    const turn = {};
    const upstream = net.connect(upstreamPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    let fromClient = Buffer.alloc(0);
    let fromServer = Buffer.alloc(0);
    let startedUp = false;
    const pending: Buffer[] = [];
    let owning = false;
    let acquiring = false;
    // Syncs and Queries sent whose ReadyForQuery has not come back yet.
    let awaitingReady = 0;
    let status = 'I';
    let ended = false;

    const send = async () => {
      if (acquiring || pending.length === 0 || ended) return;
      if (!owning) {
        acquiring = true;
        await acquire(turn);
        acquiring = false;
        owning = true;
        if (ended) return finish();
      }
      for (const message of pending.splice(0)) {
        const type = String.fromCharCode(message[0] as number);
        if (type === 'S' || type === 'Q' || !startedUp) awaitingReady += 1;
        if (!startedUp) startedUp = true;
        upstream.write(message);
      }
    };

    const rollBack = () => {
      const sql = Buffer.from('ROLLBACK\0', 'utf8');
      const query = Buffer.alloc(5 + sql.length);
      query.write('Q', 0);
      query.writeInt32BE(4 + sql.length, 1);
      sql.copy(query, 5);
      awaitingReady = 1;
      upstream.write(query);
    };

    // The client is gone: once its last statement has answered, roll back an open transaction
    // (as a real server does for a killed process), then hand the backend on.
    const finish = () => {
      if (!owning) {
        if (!acquiring) upstream.destroy();
        return;
      }
      if (awaitingReady > 0 && !upstream.destroyed) return;
      if ((status === 'T' || status === 'E') && !upstream.destroyed) return rollBack();
      upstream.destroy();
      owning = false;
      release(turn);
    };

    client.on('data', (chunk: Buffer) => {
      fromClient = Buffer.concat([fromClient, chunk]);
      for (;;) {
        if (!startedUp && pending.length === 0) {
          // Startup-phase messages have no type byte: length, then a code.
          if (fromClient.length < 8) break;
          const length = fromClient.readInt32BE(0);
          if (fromClient.length < length) break;
          const code = fromClient.readInt32BE(4);
          const message = fromClient.subarray(0, length);
          fromClient = fromClient.subarray(length);
          if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
            client.write('N');
            continue;
          }
          pending.push(Buffer.from(message));
          continue;
        }
        if (fromClient.length < 5) break;
        const length = fromClient.readInt32BE(1);
        if (fromClient.length < 1 + length) break;
        pending.push(Buffer.from(fromClient.subarray(0, 1 + length)));
        fromClient = fromClient.subarray(1 + length);
      }
      void send();
    });

    upstream.on('data', (chunk: Buffer) => {
      fromServer = Buffer.concat([fromServer, chunk]);
      let forward = 0;
      let offset = 0;
      while (fromServer.length - offset >= 5) {
        const length = fromServer.readInt32BE(offset + 1);
        if (fromServer.length - offset < 1 + length) break;
        if (fromServer[offset] === 0x5a /* Z: ReadyForQuery */) {
          awaitingReady -= 1;
          status = String.fromCharCode(fromServer[offset + 5] as number);
        }
        offset += 1 + length;
        forward = offset;
      }
      const complete = fromServer.subarray(0, forward);
      fromServer = fromServer.subarray(forward);
      if (ended) return finish();
      if (complete.length > 0) client.write(complete);
      if (owning && awaitingReady <= 0 && status === 'I' && pending.length === 0) {
        owning = false;
        release(turn);
      }
    });

    const end = () => {
      if (ended) return;
      ended = true;
      client.destroy();
      finish();
    };
    client.on('close', end);
    client.on('error', end);
    upstream.on('error', () => {
      client.destroy();
      if (owning) {
        owning = false;
        release(turn);
      }
    });
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
      if (owning) {
        owning = false;
        release(turn);
      }
    });
    client.on('close', () => sockets.delete(client));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
