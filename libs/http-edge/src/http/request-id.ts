import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';

export const REQUEST_ID_HEADER = 'X-Request-Id';

/** Echoed only when it is short and made of characters that are safe in logs and headers. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._~:+=/-]{1,128}$/;

export function acceptOrCreateRequestId(incoming: unknown): string {
  return typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

type RequestWithId = Request & { id?: string; serverRequestId?: string; clientRequestId?: string };

/**
 * The id answered is the client's when it sent a safe one; the server makes its own beside it, for records a client must not
 * choose (when the client sent none, the id answered is the server's own).
 */
export function assignRequestId(request: Request, response: Response): void {
  const incoming = request.headers['x-request-id'];
  const id = acceptOrCreateRequestId(incoming);
  const withId = request as RequestWithId;
  const chosenByClient = id === incoming;
  withId.serverRequestId = chosenByClient ? randomUUID() : id;
  withId.clientRequestId = chosenByClient ? id : undefined;
  withId.id = id;
  response.setHeader(REQUEST_ID_HEADER, id);
}

export function serverRequestIdOf(request: Request): string {
  return (request as RequestWithId).serverRequestId ?? randomUUID();
}

export function clientRequestIdOf(request: Request): string | null {
  return (request as RequestWithId).clientRequestId ?? null;
}

export function requestIdOf(request: Request): string {
  return (request as RequestWithId).id ?? acceptOrCreateRequestId(undefined);
}
