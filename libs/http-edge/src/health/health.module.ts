import { Controller, DynamicModule, Get, Inject, Injectable, Module } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags, ApiOperation } from '@nestjs/swagger';
import { getDataSourceToken } from '@nestjs/typeorm';
import { HealthCheck, HealthCheckResult, HealthCheckService, HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { knownMigrationNames, MIGRATIONS_TABLE } from '@app/persistence';
import { DatabaseUnavailableException } from '../errors/exceptions';
import { DrainState } from '../http/graceful-shutdown';

const READINESS_DATA_SOURCE = Symbol('READINESS_DATA_SOURCE');
const CHECK_TIMEOUT_MS = 2000;

/** Ready means: the database answers through the pool the app serves from, and no migration is pending. */
@Injectable()
export class DatabaseReadinessIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    @Inject(READINESS_DATA_SOURCE) private readonly dataSource: DataSource,
  ) {}

  async check(key: string) {
    const indicator = this.indicators.check(key);
    let applied: Array<{ name: string }>;
    try {
      applied = await withTimeout(this.dataSource.query(`SELECT name FROM ${MIGRATIONS_TABLE}`), CHECK_TIMEOUT_MS);
    } catch {
      return indicator.down({ message: 'database unreachable' });
    }
    const names = new Set(applied.map(({ name }) => name));
    const pending = knownMigrationNames.filter((name) => !names.has(name));
    return pending.length > 0 ? indicator.down({ message: 'migrations pending', pending }) : indicator.up();
  }
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: DatabaseReadinessIndicator,
    private readonly drain: DrainState,
  ) {}

  @ApiOperation({ summary: 'Liveness: the process answers' })
  @Get('live')
  @ApiOkResponse({ description: 'The process is up' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @ApiOperation({ summary: 'Readiness: the database is reachable and migrated' })
  @Get('ready')
  @HealthCheck()
  @ApiOkResponse({ description: 'Database reachable and schema up to date' })
  @ApiServiceUnavailableResponse({ description: 'Database unreachable, migrations pending, or shutting down' })
  async ready(): Promise<HealthCheckResult> {
    if (this.drain.draining) {
      throw new DatabaseUnavailableException(1, 'Not ready: shutting down');
    }
    try {
      return await this.health.check([() => this.database.check('database')]);
    } catch (error) {
      const details = (error as { response?: HealthCheckResult }).response?.error?.database;
      const reason = typeof details?.message === 'string' ? details.message : 'not ready';
      throw new DatabaseUnavailableException(2, `Not ready: ${reason}`);
    }
  }
}

@Module({})
export class HealthModule {
  static forConnection(connection: string): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController],
      providers: [DatabaseReadinessIndicator, DrainState, { provide: READINESS_DATA_SOURCE, useExisting: getDataSourceToken(connection) }],
      exports: [DrainState],
    };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
