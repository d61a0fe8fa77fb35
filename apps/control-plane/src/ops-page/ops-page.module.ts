import { Module } from '@nestjs/common';
import { OpsPageController } from './ops-page.controller';

@Module({ controllers: [OpsPageController] })
export class OpsPageModule {}
