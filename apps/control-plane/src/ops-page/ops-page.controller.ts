import { join } from 'node:path';
import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';

const ASSETS: Record<string, string> = { 'app.js': 'text/javascript; charset=utf-8', 'style.css': 'text/css; charset=utf-8' };
const UI_DIRECTORY = join(__dirname, 'ui');
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; frame-ancestors 'none'; form-action 'none'";

@ApiExcludeController()
@Controller('admin/ui')
export class OpsPageController {
  @Get()
  page(@Res() response: Response): void {
    response.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    response.type('text/html; charset=utf-8').sendFile(join(UI_DIRECTORY, 'index.html'));
  }

  @Get(':asset')
  asset(@Param('asset') asset: string, @Res() response: Response): void {
    const type = ASSETS[asset];
    if (!type) throw new NotFoundException('No such asset');
    response.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    response.type(type).sendFile(join(UI_DIRECTORY, asset));
  }
}
