export * from './usage.dto';
export * from './usage.module';
export * from './usage.repository';
export * from './usage.service';
export * from './usage-counters';
