/**
 * What GET /v1/orders/:id does, without a framework: the same key check and key cache, the same
 * key lookup and tenant function, the same JSON. The peers of `npm run bench` serve it from a bare
 * node:http server and from an express one, so that the API's own cost can be read off beside them.
 */
import type { Server } from 'node:http';
import { Pool } from 'pg';
import { hashApiKey, keySignature } from '@app/tenants';
import { bearerToken, looksLikeApiKey } from '@app/http-edge';
import { readBigintsAsNumbers } from '@app/persistence';
import { LruCache } from '../../apps/api/src/auth/lru-cache';
import type { ApiKeyGrant } from '../../apps/api/src/auth/api-keys.repository';
import type { OrderDetailsRecord } from '../../apps/api/src/orders/order.records';
import { normalizeDetails } from '../../apps/api/src/orders/orders.repository';
import { presentOrderDetails } from '../../apps/api/src/orders/order.presenter';

const GRANT_TTL_MS = 300_000;
const ORDER_ID = /^[1-9][0-9]{0,17}$/;

export interface PeerAnswer {
  status: number;
  body: unknown;
}

export function orderReader(environment: NodeJS.ProcessEnv) {
  readBigintsAsNumbers();
  const poolSize = Number(environment.DB_POOL_SIZE ?? 20);
  const tenantPool = new Pool({ connectionString: environment.TENANT_DATABASE_URL, max: poolSize, application_name: 'peer:tenant' });
  const controlPool = new Pool({ connectionString: environment.CONTROL_DATABASE_URL, max: 4, application_name: 'peer:control' });
  const grants = new LruCache<ApiKeyGrant>(50_000);
  const secret = environment.API_KEY_SECRET;

  async function grantOf(token: string): Promise<ApiKeyGrant | null> {
    if (!looksLikeApiKey(token) || (secret !== undefined && keySignature(token, secret) === 'forged')) return null;
    const cacheKey = hashApiKey(token).toString('base64');
    const cached = grants.get(cacheKey);
    if (cached) return cached;
    const { rows } = await controlPool.query<ApiKeyGrant>(
      `SELECT k.id AS "keyId", t.id AS "tenantId", t.name AS "tenantName", t.status AS "tenantStatus",
              t.created_at AS "tenantCreatedAt", p.id AS "planId",
              p.requests_per_minute AS "requestsPerMinute", p.statement_timeout_ms AS "statementTimeoutMs"
         FROM api_keys k JOIN tenants t ON t.id = k.tenant_id JOIN plans p ON p.id = t.plan
        WHERE k.key_hash = $1 AND k.revoked_at IS NULL`,
      [Buffer.from(cacheKey, 'base64')],
    );
    if (rows[0]) grants.set(cacheKey, rows[0], GRANT_TTL_MS);
    return rows[0] ?? null;
  }

  return {
    async read(authorization: string | undefined, id: string): Promise<PeerAnswer> {
      const token = bearerToken(authorization);
      const grant = token ? await grantOf(token) : null;
      if (!grant || grant.tenantStatus !== 'active') return { status: 401, body: { statusCode: 401, message: 'Unknown or revoked api key' } };
      if (!ORDER_ID.test(id)) return { status: 400, body: { statusCode: 400, message: 'Invalid id' } };
      const { rows } = await tenantPool.query<OrderDetailsRecord>('SELECT * FROM tenant_order_details($1, $2)', [grant.tenantId, Number(id)]);
      if (rows.length === 0) return { status: 404, body: { statusCode: 404, message: 'Order not found' } };
      return { status: 200, body: presentOrderDetails(normalizeDetails(rows[0])) };
    },
    async close(): Promise<void> {
      await Promise.all([tenantPool.end(), controlPool.end()]);
    },
  };
}

/** A clean exit on SIGTERM, as a service would have, so that --cpu-prof gets to write its profile. */
export function stopPeer(server: Server, reader: ReturnType<typeof orderReader>): void {
  server.close();
  void reader.close().finally(() => process.exit(0));
}
