import { plainToInstance, Transform, Type } from 'class-transformer';
import { getMetadataStorage, IsBoolean, IsEnum, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, validateSync } from 'class-validator';

export enum LogLevel {
  Fatal = 'fatal',
  Error = 'error',
  Warn = 'warn',
  Info = 'info',
  Debug = 'debug',
  Trace = 'trace',
  Silent = 'silent',
}

const POSTGRES_URL = /^postgres(ql)?:\/\/.+/;
const toBoolean = ({ value }: { value: unknown }) =>
  value === undefined ? undefined : typeof value === 'string' && ['1', 'true', 'yes', 'on'].includes(value.toLowerCase());

export class Environment {
  @IsInt()
  @Min(0)
  @Max(65535)
  @Type(() => Number)
  PORT = 3000;

  @IsInt()
  @Min(0)
  @Max(65535)
  @Type(() => Number)
  ANALYTICS_PORT = 3100;

  @IsInt()
  @Min(0)
  @Max(65535)
  @Type(() => Number)
  CONTROL_PLANE_PORT = 3200;

  @IsString()
  HOST = '0.0.0.0';

  @IsEnum(LogLevel)
  LOG_LEVEL: LogLevel = LogLevel.Info;

  @IsIn(['auto', 'json', 'pretty'])
  LOG_FORMAT: 'auto' | 'json' | 'pretty' = 'auto';

  @IsOptional()
  @IsString()
  NODE_ENV?: string;

  @IsOptional()
  @Matches(POSTGRES_URL, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  @IsOptional()
  @Matches(POSTGRES_URL, { message: 'TENANT_DATABASE_URL must be a postgres:// URL' })
  TENANT_DATABASE_URL?: string;

  @IsOptional()
  @Matches(POSTGRES_URL, { message: 'CONTROL_DATABASE_URL must be a postgres:// URL' })
  CONTROL_DATABASE_URL?: string;

  @IsOptional()
  @Matches(POSTGRES_URL, { message: 'CONTROL_LISTEN_URL must be a postgres:// URL' })
  CONTROL_LISTEN_URL?: string;

  @IsOptional()
  @Matches(POSTGRES_URL, { message: 'ANALYTICS_DATABASE_URL must be a postgres:// URL' })
  ANALYTICS_DATABASE_URL?: string;

  /** Turns tracing on (OTLP over HTTP); read by the OpenTelemetry SDK itself, checked here so a typo fails the boot. */
  @IsOptional()
  @Matches(/^https?:\/\/.+/, { message: 'OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL' })
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  @IsString()
  EMBEDDED_PG_DIR = '.data/embedded-postgres';

  @IsInt()
  @Min(1024)
  @Max(65535)
  @Type(() => Number)
  EMBEDDED_PG_PORT = 54329;

  @IsBoolean()
  @Transform(toBoolean)
  MIGRATE_ON_BOOT = true;

  @IsOptional()
  @IsBoolean()
  @Transform(toBoolean)
  SEED_DEMO?: boolean;

  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'ADMIN_TOKEN must be at least 16 characters' })
  ADMIN_TOKEN?: string;

  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'ANALYTICS_TOKEN must be at least 16 characters' })
  ANALYTICS_TOKEN?: string;

  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'APP_TENANT_PASSWORD must be at least 16 characters' })
  APP_TENANT_PASSWORD?: string;

  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'APP_CONTROL_PASSWORD must be at least 16 characters' })
  APP_CONTROL_PASSWORD?: string;

  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'APP_ANALYTICS_PASSWORD must be at least 16 characters' })
  APP_ANALYTICS_PASSWORD?: string;

  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'API_KEY_SECRET must be at least 32 characters' })
  API_KEY_SECRET?: string;

  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'METRICS_TOKEN must be at least 16 characters' })
  METRICS_TOKEN?: string;

  @IsInt()
  @Min(1)
  @Max(200)
  @Type(() => Number)
  DB_POOL_SIZE = 10;

  @IsInt()
  @Min(1)
  @Max(50)
  @Type(() => Number)
  ANALYTICS_DB_POOL_SIZE = 3;

  @IsInt()
  @Min(100)
  @Max(60000)
  @Type(() => Number)
  DB_CONNECT_TIMEOUT_MS = 10000;

  @IsInt()
  @Min(100)
  @Max(600000)
  @Type(() => Number)
  DB_STATEMENT_TIMEOUT_MS = 5000;

  @IsInt()
  @Min(100)
  @Max(600000)
  @Type(() => Number)
  ANALYTICS_STATEMENT_TIMEOUT_MS = 15000;

  @IsInt()
  @Min(0)
  @Max(3600000)
  @Type(() => Number)
  API_KEY_CACHE_TTL_MS = 300000;

  @IsBoolean()
  @Transform(toBoolean)
  RATE_LIMIT_ENABLED = true;

  @IsInt()
  @Min(0)
  @Max(10000)
  @Type(() => Number)
  RATE_LIMIT_SYNC_INTERVAL_MS = 250;

  @IsInt()
  @Min(0)
  @Max(60000)
  @Type(() => Number)
  USAGE_FLUSH_INTERVAL_MS = 5000;

  @IsInt()
  @Min(1000)
  @Max(300000)
  @Type(() => Number)
  REQUEST_TIMEOUT_MS = 10000;

  @IsInt()
  @Min(1000)
  @Max(3600000)
  @Type(() => Number)
  IMPORT_TIMEOUT_MS = 1800000;

  @IsInt()
  @Min(1024)
  @Type(() => Number)
  IMPORT_MAX_BYTES = 2 * 1024 * 1024 * 1024;

  @IsInt()
  @Min(0)
  @Max(120000)
  @Type(() => Number)
  SHUTDOWN_DRAIN_MS = 0;

  @IsInt()
  @Min(0)
  @Max(86400)
  @Type(() => Number)
  ROLLUP_INTERVAL_SECONDS = 60;
}

export class EnvironmentError extends Error {}

export const ENVIRONMENT_VARIABLES: readonly string[] = Object.freeze([
  ...new Set([
    ...Object.keys(new Environment()),
    ...getMetadataStorage()
      .getTargetValidationMetadatas(Environment, '', true, false)
      .map((metadata) => metadata.propertyName),
  ]),
]);

export function validateEnvironment(raw: Record<string, unknown>): Environment {
  const relevant = Object.fromEntries(Object.entries(raw).filter(([key, value]) => ENVIRONMENT_VARIABLES.includes(key) && value !== ''));
  const environment = plainToInstance(Environment, relevant, { exposeDefaultValues: true });
  const errors = validateSync(environment, { whitelist: false });
  if (errors.length > 0) {
    const lines = errors.map((error) => `  ${error.property}: ${Object.values(error.constraints ?? {}).join('; ')}`);
    throw new EnvironmentError(`Invalid environment:\n${lines.join('\n')}`);
  }
  return environment;
}
