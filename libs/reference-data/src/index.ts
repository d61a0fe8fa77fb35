export * from './catalog.service';
export * from './reference-data.module';
export type { CountryRecord, PlanRecord } from './reference-data.repository';
