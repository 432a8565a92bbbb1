import net from 'node:net';

/** The Redis the tests use: the machine's own unless CAIRN_TEST_REDIS_URL says otherwise. */
export const TEST_REDIS_URL = process.env.CAIRN_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';

/** Whether something accepts connections at a Redis URL's host and port within a second. */
export async function redisReachable(url: string = TEST_REDIS_URL): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port || 6379) });
    const done = (up: boolean) => {
      socket.destroy();
      resolve(up);
    };
    socket.setTimeout(1000);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

/** `node:test` options that skip a test or suite, with the reason, when the test Redis is down. */
export async function skipWithoutRedis(): Promise<{ skip?: string }> {
  return (await redisReachable()) ? {} : { skip: `no Redis at ${TEST_REDIS_URL} (set CAIRN_TEST_REDIS_URL)` };
}
