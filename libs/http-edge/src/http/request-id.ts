import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

export const REQUEST_ID_HEADER = 'X-Request-Id';

/** Echoed only when it is short and made of characters that are safe in logs and headers. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._~:+=/-]{1,128}$/;

export function acceptOrCreateRequestId(incoming: unknown): string {
  return typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

type RequestWithId = Request & { id?: string };

export function requestIdMiddleware(request: Request, response: Response, next: NextFunction): void {
  const id = acceptOrCreateRequestId(request.headers['x-request-id']);
  (request as RequestWithId).id = id;
  response.setHeader(REQUEST_ID_HEADER, id);
  next();
}

export function requestIdOf(request: Request): string {
  return (request as RequestWithId).id ?? acceptOrCreateRequestId(undefined);
}
