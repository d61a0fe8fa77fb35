/** Peer of the API in `npm run bench`: GET /v1/orders/:id on node:http alone. */
import { createServer } from 'node:http';
import { orderReader, stopPeer } from './order-read';

const reader = orderReader(process.env);
const ORDER_PATH = /^\/v1\/orders\/([^/?]+)$/;

const server = createServer((request, response) => {
  const send = (status: number, body: unknown) => {
    response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' }).end(JSON.stringify(body));
  };
  const id = request.method === 'GET' ? ORDER_PATH.exec(request.url ?? '')?.[1] : undefined;
  if (request.url === '/health/ready') send(200, { status: 'ok' });
  else if (id === undefined) send(404, { statusCode: 404, message: 'Not found' });
  else
    reader.read(request.headers.authorization, id).then(
      (answer) => send(answer.status, answer.body),
      () => send(503, { statusCode: 503, message: 'Database unavailable' }),
    );
}).listen(Number(process.env.PORT), '127.0.0.1');
process.once('SIGTERM', () => stopPeer(server, reader));
