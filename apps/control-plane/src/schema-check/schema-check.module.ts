import { Module } from '@nestjs/common';
import { SchemaCheckController } from './schema-check.controller';

@Module({ controllers: [SchemaCheckController] })
export class SchemaCheckModule {}
