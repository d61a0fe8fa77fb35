/** The NOTIFY channel on which the control plane says that a tenant's keys or status changed; every tenant API process listens. */
export const CREDENTIAL_CHANGES_CHANNEL = 'tenant_credentials_changed';

/** Each listener answers a change's nonce here once it has evicted the tenant, so the control plane can wait for all of them. */
export const CREDENTIAL_CHANGES_APPLIED_CHANNEL = 'tenant_credentials_applied';

/** The application_name of a tenant API's listening connection: the control plane counts them to know how many answers to wait for. */
export const CREDENTIAL_LISTENER_APPLICATION = 'api:credential-listener';

/** A change names the tenant and a nonce; a heartbeat names no tenant. */
export function credentialChange(tenantId: string, nonce: string): string {
  return `${tenantId} ${nonce}`;
}

export function parseCredentialChange(payload: string | undefined): { tenantId: string; nonce: string } | { heartbeat: string } | undefined {
  const [first, second] = (payload ?? '').split(' ');
  if (first === 'heartbeat' && second) return { heartbeat: second };
  return first && second ? { tenantId: first, nonce: second } : undefined;
}
