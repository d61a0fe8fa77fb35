/**
 * Peer of the API in `npm run bench`: GET /v1/orders/:id on NestJS with nothing else, to show NestJS's own cost on this route:
 * over express (`nest-server.ts`), or over fastify (`nest-server.ts fastify`), the other HTTP adapter NestJS ships.
 */
import 'reflect-metadata';
import { Controller, Get, Headers, Module, Param, Res } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { Response } from 'express';
import type { FastifyReply } from 'fastify';
import { orderReader, stopPeer } from './order-read';

const reader = orderReader(process.env);
const onFastify = process.argv.includes('fastify');

function reply(response: Response | FastifyReply, status: number, body: unknown): void {
  if (onFastify) (response as FastifyReply).code(status).header('Cache-Control', 'no-store').send(body);
  else (response as Response).status(status).set('Cache-Control', 'no-store').json(body);
}

@Controller()
class OrdersController {
  @Get('health/ready')
  ready() {
    return { status: 'ok' };
  }

  @Get('v1/orders/:id')
  async order(@Headers('authorization') authorization: string | undefined, @Param('id') id: string, @Res() response: Response | FastifyReply) {
    const answer = await reader.read(authorization, id);
    reply(response, answer.status, answer.body);
  }
}

@Module({ controllers: [OrdersController] })
class PeerModule {}

async function main() {
  const app = onFastify
    ? await NestFactory.create(PeerModule, new FastifyAdapter(), { logger: false })
    : await NestFactory.create(PeerModule, { logger: false });
  if (!onFastify) {
    const instance = app.getHttpAdapter().getInstance() as { disable(setting: string): void };
    instance.disable('x-powered-by');
    instance.disable('etag');
  }
  await app.listen(Number(process.env.PORT), '127.0.0.1');
  process.once('SIGTERM', () => stopPeer(app.getHttpServer(), reader));
}
void main();
