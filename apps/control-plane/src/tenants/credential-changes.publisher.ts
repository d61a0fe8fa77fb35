import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AppRoleEndpoints, DATABASE_ENDPOINTS } from '@app/config';
import { Connection } from '@app/persistence';
import { CREDENTIAL_CHANGES_APPLIED_CHANNEL, CREDENTIAL_CHANGES_CHANNEL, CREDENTIAL_LISTENER_APPLICATION, credentialChange } from '@app/tenants';

/** Long enough for every listening tenant API process on a healthy coordinator; a process that does not answer has a TTL-bounded cache. */
const ACKNOWLEDGEMENT_WAIT_MS = 1000;

/**
 * Tells every tenant API process that a tenant's credentials changed, and waits until each listening one has evicted it, so that a
 * revocation answered 204 is refused from the next request on.
 */
@Injectable()
export class CredentialChangesPublisher implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(CredentialChangesPublisher.name);
  private acknowledgements?: Client;
  private readonly awaiting = new Map<string, () => void>();

  constructor(
    @InjectDataSource(Connection.Control) private readonly control: DataSource,
    @Inject(DATABASE_ENDPOINTS) private readonly endpoints: AppRoleEndpoints,
  ) {}

  async onModuleInit(): Promise<void> {
    const client = new Client({ connectionString: this.endpoints.controlListen, application_name: 'control-plane:credential-acks', keepAlive: true });
    client.on('notification', (message) => this.awaiting.get(message.payload ?? '')?.());
    client.on('error', (error) => {
      this.logger.warn(`acknowledgement listener lost (${error.message}); revocations no longer wait for the tenant APIs`);
      this.acknowledgements = undefined;
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CREDENTIAL_CHANGES_APPLIED_CHANNEL}`);
      this.acknowledgements = client;
    } catch (error) {
      this.logger.warn(`acknowledgement listener unavailable (${error instanceof Error ? error.message : String(error)})`);
      await client.end().catch(() => undefined);
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.acknowledgements?.end().catch(() => undefined);
  }

  async publish(tenantId: string): Promise<void> {
    const nonce = randomUUID();
    const listeners = this.acknowledgements ? await this.listeningProcesses() : 0;
    const applied = listeners > 0 ? this.acknowledged(nonce, listeners) : Promise.resolve();
    await this.control.query(`SELECT pg_notify($1, $2)`, [CREDENTIAL_CHANGES_CHANNEL, credentialChange(tenantId, nonce)]);
    await applied;
  }

  private async listeningProcesses(): Promise<number> {
    const rows: Array<{ count: number }> = await this.control.query(
      `SELECT count(*)::int AS count FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()`,
      [CREDENTIAL_LISTENER_APPLICATION],
    );
    return rows[0]?.count ?? 0;
  }

  private acknowledged(nonce: string, expected: number): Promise<void> {
    return new Promise((resolve) => {
      let answers = 0;
      const done = () => {
        clearTimeout(timer);
        this.awaiting.delete(nonce);
        resolve();
      };
      const timer = setTimeout(done, ACKNOWLEDGEMENT_WAIT_MS);
      this.awaiting.set(nonce, () => {
        answers += 1;
        if (answers >= expected) done();
      });
    });
  }
}
