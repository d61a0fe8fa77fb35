import type { Request } from 'express';
import type { ApiKeyGrant } from './api-keys.repository';

/** A /v1 request after the tenant middleware: the grant of the key that authenticated it. */
export type AuthenticatedRequest = Request & { grant: ApiKeyGrant };
