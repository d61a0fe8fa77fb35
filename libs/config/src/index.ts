export * from './environment';
export * from './database-endpoints';
export * from './config.module';
export * from './startup-error';
