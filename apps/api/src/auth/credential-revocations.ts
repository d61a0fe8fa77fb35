import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { DATABASE_ENDPOINTS, DatabaseEndpoints } from '@app/config';
import { Connection } from '@app/persistence';
import { ApiKeyAuthenticator } from './api-key-authenticator';

const CHANNEL = 'tenant_credentials_changed';
const RECONNECT_DELAYS_MS = [500, 1000, 2000, 5000, 10_000];
const ECHO_WAIT_MS = 1000;

/** LISTEN on one direct connection to the coordinator (PgBouncer's transaction mode cannot carry it); the key cache's TTL is the fallback. */
@Injectable()
export class CredentialRevocations implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(CredentialRevocations.name);
  private listener?: Client;
  private reconnectTimer?: NodeJS.Timeout;
  private failures = 0;
  private closing = false;
  private readonly awaitingEcho = new Map<string, () => void>();

  constructor(
    private readonly authenticator: ApiKeyAuthenticator,
    @InjectDataSource(Connection.Control) private readonly control: DataSource,
    @Inject(DATABASE_ENDPOINTS) private readonly endpoints: DatabaseEndpoints,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.listen();
  }

  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    await this.listener?.end().catch(() => undefined);
  }

  async publish(tenantId: string): Promise<void> {
    this.authenticator.evictTenant(tenantId);
    const nonce = randomUUID();
    const echoed = this.listener
      ? new Promise<void>((resolve) => {
          const timer = setTimeout(() => this.settle(nonce), ECHO_WAIT_MS);
          this.awaitingEcho.set(nonce, () => {
            clearTimeout(timer);
            resolve();
          });
        })
      : Promise.resolve();
    await this.control.query(`SELECT pg_notify($1, $2)`, [CHANNEL, `${tenantId} ${nonce}`]);
    await echoed;
  }

  private settle(nonce: string): void {
    this.awaitingEcho.get(nonce)?.();
    this.awaitingEcho.delete(nonce);
  }

  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.endpoints.owner, application_name: 'api:revocations', keepAlive: true });
    client.on('notification', (message) => {
      const [tenantId, nonce] = (message.payload ?? '').split(' ');
      if (tenantId) this.authenticator.evictTenant(tenantId);
      if (nonce) this.settle(nonce);
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (error) {
      this.lost(client, error);
      return;
    }
    this.listener = client;
    this.failures = 0;
    // Whatever changed while nobody listened is unknown: check every key again.
    this.authenticator.evictAll();
  }

  private lost(client: Client, error: unknown): void {
    if (this.closing || (this.listener !== undefined && this.listener !== client)) return;
    if (this.listener === client) this.listener = undefined;
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    const delay = RECONNECT_DELAYS_MS[Math.min(this.failures, RECONNECT_DELAYS_MS.length - 1)];
    this.failures += 1;
    this.logger.warn(`revocation listener down (${error instanceof Error ? error.message : String(error)}); key cache TTL applies; retrying in ${delay} ms`);
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => void this.listen(), delay);
    this.reconnectTimer.unref();
  }
}
