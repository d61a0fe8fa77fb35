import { createServer, request as httpRequest, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterResponse } from './after-response';

describe('afterResponse', () => {
  let server: Server;
  const seen: Array<{ callback: string; finished: boolean }> = [];
  const closeListeners: number[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      afterResponse(response, (finished) => seen.push({ callback: 'first', finished }));
      afterResponse(response, (finished) => seen.push({ callback: 'second', finished }));
      closeListeners.push(response.listenerCount('close'));
      if (request.url === '/hang') return;
      response.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  beforeEach(() => {
    seen.length = 0;
    closeListeners.length = 0;
  });

  const until = async (condition: () => boolean) => {
    while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
  };

  it('runs every callback once, in order, with finished true, from a single close listener', async () => {
    const { port } = server.address() as AddressInfo;
    await fetch(`http://127.0.0.1:${port}/done`).then((response) => response.text());
    await until(() => seen.length === 2);
    expect(seen).toEqual([
      { callback: 'first', finished: true },
      { callback: 'second', finished: true },
    ]);
    expect(closeListeners).toEqual([1]);
  });

  it('tells the callbacks when the client went away before the response', async () => {
    const { port } = server.address() as AddressInfo;
    const client = httpRequest({ host: '127.0.0.1', port, path: '/hang' });
    client.on('error', () => undefined);
    client.end();
    await until(() => closeListeners.length === 1);
    client.destroy();
    await until(() => seen.length === 2);
    expect(seen.map(({ finished }) => finished)).toEqual([false, false]);
  });
});
