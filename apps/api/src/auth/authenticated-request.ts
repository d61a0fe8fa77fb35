import type { Request } from 'express';
import type { ApiKeyGrant } from './api-keys.repository';

export type AuthenticatedRequest = Request & { grant: ApiKeyGrant };
