/** Peer of the API in `npm run bench`: GET /v1/orders/:id on express, as a hand-written express service would serve it. */
import express from 'express';
import { orderReader, stopPeer } from './order-read';

const reader = orderReader(process.env);
const app = express();
app.disable('x-powered-by');
app.disable('etag');
app.get('/health/ready', (_request, response) => {
  response.json({ status: 'ok' });
});
app.get('/v1/orders/:id', (request, response) => {
  reader.read(request.headers.authorization, request.params.id).then(
    (answer) => response.status(answer.status).set('Cache-Control', 'no-store').json(answer.body),
    () => response.status(503).json({ statusCode: 503, message: 'Database unavailable' }),
  );
});
const server = app.listen(Number(process.env.PORT), '127.0.0.1');
process.once('SIGTERM', () => stopPeer(server, reader));
