export * from './api-key';
export * from './api-key.entity';
export * from './credential-changes';
export * from './tenant.entity';
export * from './tenant.presenter';
export * from './tenant.view';
