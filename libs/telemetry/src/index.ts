export * from './tracing';
export * from './tenant-on-trace';
export * from './statement-span-name';
