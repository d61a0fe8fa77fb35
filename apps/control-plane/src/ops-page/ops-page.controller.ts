import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

const ASSETS: Record<string, string> = { 'app.js': 'text/javascript; charset=utf-8', 'style.css': 'text/css; charset=utf-8' };
const UI_DIRECTORY = join(__dirname, 'ui');
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; frame-ancestors 'none'; form-action 'none'";

@ApiExcludeController()
@Controller('admin/ui')
export class OpsPageController {
  @Get()
  async page(@Res() reply: FastifyReply): Promise<void> {
    await sendAsset(reply, 'index.html', 'text/html; charset=utf-8');
  }

  @Get(':asset')
  async asset(@Param('asset') asset: string, @Res() reply: FastifyReply): Promise<void> {
    const type = ASSETS[asset];
    if (!type) throw new NotFoundException('No such asset');
    await sendAsset(reply, asset, type);
  }
}

async function sendAsset(reply: FastifyReply, file: string, type: string): Promise<void> {
  const content = await readFile(join(UI_DIRECTORY, file));
  await reply.header('Content-Security-Policy', CONTENT_SECURITY_POLICY).type(type).send(content);
}
