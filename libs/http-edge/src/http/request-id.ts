import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { AnyRequest, edgeFactsOf, EdgeFacts } from './exchange';

export const REQUEST_ID_HEADER = 'X-Request-Id';

/** Echoed only when it is short and made of characters that are safe in logs and headers. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._~:+=/-]{1,128}$/;

export function acceptOrCreateRequestId(incoming: unknown): string {
  return typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/**
 * The id answered is the client's when it sent a safe one; the server makes its own beside it, for records a client must not
 * choose (when the client sent none, the id answered is the server's own).
 */
export function requestIdsOf(request: IncomingMessage): Pick<EdgeFacts, 'requestId' | 'serverRequestId' | 'clientRequestId'> {
  const incoming = request.headers['x-request-id'];
  const requestId = acceptOrCreateRequestId(incoming);
  const chosenByClient = requestId === incoming;
  return { requestId, serverRequestId: chosenByClient ? randomUUID() : requestId, clientRequestId: chosenByClient ? requestId : null };
}

export function serverRequestIdOf(request: AnyRequest): string {
  return edgeFactsOf(request)?.serverRequestId ?? randomUUID();
}

export function clientRequestIdOf(request: AnyRequest): string | null {
  return edgeFactsOf(request)?.clientRequestId ?? null;
}

export function requestIdOf(request: AnyRequest): string {
  return edgeFactsOf(request)?.requestId ?? acceptOrCreateRequestId(undefined);
}
