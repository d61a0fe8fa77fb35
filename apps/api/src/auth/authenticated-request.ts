import type { IncomingMessage } from 'node:http';
import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { AnyRequest, rawRequest } from '@app/http-edge';
import type { ApiKeyGrant } from './api-keys.repository';

type AuthenticatedRequest = IncomingMessage & { grant?: ApiKeyGrant };

/** Set by the api key check, the one layer that decides the tenant; kept on Node's request, which middleware and handlers share. */
export function grantRequest(request: IncomingMessage, grant: ApiKeyGrant): void {
  (request as AuthenticatedRequest).grant = grant;
}

export function grantOf(request: AnyRequest): ApiKeyGrant | undefined {
  return (rawRequest(request) as AuthenticatedRequest).grant;
}

/** The calling tenant's grant, in a handler behind the api key check. */
export const CurrentGrant = createParamDecorator((_data: unknown, context: ExecutionContext): ApiKeyGrant => {
  const grant = grantOf(context.switchToHttp().getRequest<AnyRequest>());
  if (!grant) throw new Error('no api key grant: the route is not behind the api key check');
  return grant;
});
