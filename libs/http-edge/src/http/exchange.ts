import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Nest hands middleware Node's own request and response, and guards, pipes, handlers and filters fastify's wrappers of them. */
export type AnyRequest = IncomingMessage | FastifyRequest;
export type AnyResponse = ServerResponse | FastifyReply;

export function rawRequest(request: AnyRequest): IncomingMessage {
  return 'raw' in request ? request.raw : request;
}

export function rawResponse(response: AnyResponse): ServerResponse {
  return 'raw' in response ? response.raw : response;
}

/** What the edge learned of a request when it arrived, kept on Node's request where every layer can read it. */
export interface EdgeFacts {
  /** The id answered in X-Request-Id: the client's when it sent a safe one. */
  requestId: string;
  /** The server's own id, for records a client must not choose. */
  serverRequestId: string;
  clientRequestId: string | null;
  /** The template of the route that matched ("/v1/orders/:id"); undefined when none did. */
  routeTemplate: string | undefined;
}

type RequestWithFacts = IncomingMessage & { edgeFacts?: EdgeFacts };

export function recordEdgeFacts(request: IncomingMessage, facts: EdgeFacts): void {
  (request as RequestWithFacts).edgeFacts = facts;
}

export function edgeFactsOf(request: AnyRequest): EdgeFacts | undefined {
  return (rawRequest(request) as RequestWithFacts).edgeFacts;
}
