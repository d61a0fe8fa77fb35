import { Module } from '@nestjs/common';
import { CatalogService } from './catalog.service';
import { ReferenceDataRepository } from './reference-data.repository';

@Module({ providers: [CatalogService, ReferenceDataRepository], exports: [CatalogService] })
export class ReferenceDataModule {}
