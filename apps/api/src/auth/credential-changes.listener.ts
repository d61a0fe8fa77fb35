import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Client } from 'pg';
import { AppRoleEndpoints, DATABASE_ENDPOINTS } from '@app/config';
import { CREDENTIAL_CHANGES_APPLIED_CHANNEL, CREDENTIAL_CHANGES_CHANNEL, CREDENTIAL_LISTENER_APPLICATION, parseCredentialChange } from '@app/tenants';
import { ApiKeyAuthenticator } from './api-key-authenticator';

const RECONNECT_DELAYS_MS = [500, 1000, 2000, 5000, 10_000];
/** A half-open connection delivers nothing and reports nothing: a heartbeat that does not come back within this is a lost listener. */
export const HEARTBEAT_INTERVAL_MS = 5000;
const HEARTBEAT_TIMEOUT_MS = 3000;

/**
 * LISTEN as the control role on one direct connection (PgBouncer's transaction mode cannot carry it). Every change evicts the tenant
 * and is acknowledged; while the connection is down, the key cache's TTL bounds how long a revoked key may still be served.
 */
@Injectable()
export class CredentialChangesListener implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(CredentialChangesListener.name);
  private listener?: Client;
  private reconnectTimer?: NodeJS.Timeout;
  private heartbeatTimer?: NodeJS.Timeout;
  private awaitedHeartbeat?: { nonce: string; deadline: NodeJS.Timeout };
  private failures = 0;
  private closing = false;

  constructor(
    private readonly authenticator: ApiKeyAuthenticator,
    @Inject(DATABASE_ENDPOINTS) private readonly endpoints: AppRoleEndpoints,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.listen();
  }

  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.awaitedHeartbeat?.deadline);
    await this.listener?.end().catch(() => undefined);
  }

  get listening(): boolean {
    return this.listener !== undefined;
  }

  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.endpoints.controlListen, application_name: CREDENTIAL_LISTENER_APPLICATION, keepAlive: true });
    client.on('notification', (message) => {
      const change = parseCredentialChange(message.payload);
      if (!change) return;
      if ('heartbeat' in change) {
        if (this.awaitedHeartbeat?.nonce === change.heartbeat) {
          clearTimeout(this.awaitedHeartbeat.deadline);
          this.awaitedHeartbeat = undefined;
        }
        return;
      }
      this.authenticator.evictTenant(change.tenantId);
      client.query(`SELECT pg_notify($1, $2)`, [CREDENTIAL_CHANGES_APPLIED_CHANNEL, change.nonce]).catch(() => undefined);
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN ${CREDENTIAL_CHANGES_CHANNEL}`);
    } catch (error) {
      this.lost(client, error);
      return;
    }
    this.listener = client;
    this.failures = 0;
    // Whatever changed while nobody listened is unknown: check every key again.
    this.authenticator.evictAll();
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = setInterval(() => this.heartbeat(client), HEARTBEAT_INTERVAL_MS);
    this.heartbeatTimer.unref();
  }

  /** The listener notifies itself: only a connection that still delivers notifications answers. */
  private heartbeat(client: Client): void {
    if (this.awaitedHeartbeat) return;
    const nonce = randomUUID();
    const deadline = setTimeout(() => this.lost(client, new Error(`no heartbeat within ${HEARTBEAT_TIMEOUT_MS} ms`)), HEARTBEAT_TIMEOUT_MS);
    deadline.unref();
    this.awaitedHeartbeat = { nonce, deadline };
    client.query(`SELECT pg_notify($1, $2)`, [CREDENTIAL_CHANGES_CHANNEL, `heartbeat ${nonce}`]).catch((error: unknown) => this.lost(client, error));
  }

  private lost(client: Client, error: unknown): void {
    if (this.closing || (this.listener !== undefined && this.listener !== client)) return;
    if (this.listener === client) this.listener = undefined;
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.awaitedHeartbeat?.deadline);
    this.awaitedHeartbeat = undefined;
    client.removeAllListeners('end');
    client.removeAllListeners('notification');
    client.on('error', () => undefined);
    client.end().catch(() => undefined);
    const delay = RECONNECT_DELAYS_MS[Math.min(this.failures, RECONNECT_DELAYS_MS.length - 1)];
    this.failures += 1;
    // A key revoked while nobody listened would otherwise stay cached until its TTL.
    this.authenticator.evictAll();
    this.logger.warn(`credential listener down (${error instanceof Error ? error.message : String(error)}); key cache TTL applies; retrying in ${delay} ms`);
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => void this.listen(), delay);
    this.reconnectTimer.unref();
  }
}
