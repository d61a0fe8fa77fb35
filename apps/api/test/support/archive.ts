import request from 'supertest';
import { bearer, TEST_ADMIN_TOKEN } from '@app/testing';
import type { TestApi } from './api';

/** GETs a tenant's export as text, whatever its content type (supertest does not buffer NDJSON). */
export function exportArchive(server: TestApi['server'], tenantId: string) {
  return request(server)
    .get(`/admin/tenants/${tenantId}/export`)
    .set(bearer(TEST_ADMIN_TOKEN))
    .buffer(true)
    .parse((res, callback) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => callback(null, text));
    });
}
