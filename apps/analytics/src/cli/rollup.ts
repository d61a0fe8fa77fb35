import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigModule, EnvironmentError, validateEnvironment } from '@app/config';
import { Connection, PersistenceModule, prepareDatabase } from '@app/persistence';
import { RollupModule } from '../rollup/rollup.module';
import { RollupService } from '../rollup/rollup.service';

const say = (message: string) => process.stdout.write(`${message}\n`);

/** npm run rollup [-- --rebuild]: waits for a refresh running elsewhere, then adds what is left. */
async function rollup(): Promise<void> {
  const rebuild = process.argv.includes('--rebuild');
  const environment = validateEnvironment(process.env);
  const database = await prepareDatabase(environment, say);
  try {
    @Module({
      imports: [
        ConfigModule.forRoot(environment),
        PersistenceModule.forRoot({ environment, endpoints: database.endpoints, connections: [Connection.Owner], applicationName: 'rollup' }),
        RollupModule,
      ],
    })
    class RollupCommandModule {}

    const context = await NestFactory.createApplicationContext(RollupCommandModule, { logger: ['error', 'warn'] });
    try {
      const started = Date.now();
      const result = await context.get(RollupService).refresh({ wait: true, rebuild });
      const lag = result.lagSeconds === undefined ? '' : ` (${result.lagSeconds.toFixed(1)} s behind now)`;
      say(
        result.status === 'refreshed'
          ? `Rolled up to ${result.rolledUpTo}${lag}: ${result.changedRows} rollup row(s) changed in ${Date.now() - started} ms`
          : `Already current: rolled up to ${result.rolledUpTo}${lag}`,
      );
    } finally {
      await context.close();
    }
  } finally {
    await database.stop();
  }
}

rollup().then(
  () => process.exit(0),
  (error: unknown) => {
    const detail = error instanceof EnvironmentError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`Rollup failed: ${detail}\n`);
    process.exit(1);
  },
);
