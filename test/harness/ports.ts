import { createServer, type Server } from 'node:net';

/**
 * A TCP port on 127.0.0.1 that nothing listens on right now. The kernel picks it (port 0), so two
 * test workers asking at once get different ports; the broker binds it a moment later, which is a
 * small race we accept rather than hard-coding ports that collide between parallel runs.
 */
export async function freeLoopbackPort(): Promise<number> {
  const [port] = await freeLoopbackPorts(1);
  return port!;
}

/**
 * Several distinct free ports. All are held open until the last is found: ports taken one after
 * another can repeat, because the kernel may hand out a port again as soon as it is closed.
 */
export async function freeLoopbackPorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      ports.push(await listenOnAnyLoopbackPort(server));
    }
    return ports;
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

function listenOnAnyLoopbackPort(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.unref();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        reject(new Error('could not read the port of a loopback listener'));
        return;
      }
      resolve(address.port);
    });
  });
}
