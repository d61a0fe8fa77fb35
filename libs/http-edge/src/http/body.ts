import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Transform } from 'node:stream';
import { BadRequestException, UnsupportedMediaTypeException } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FieldError, ValidationFailedException } from '../errors/exceptions';

/** 1 MiB, fastify's bodyLimit: the largest body a JSON route reads (inflated, when the client compressed it). */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/** application/json and application/*+json, with or without parameters. */
export const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;
const DECODERS: Partial<Record<string, () => Transform>> = { gzip: createGunzip, 'x-gzip': createGunzip, deflate: createInflate, br: createBrotliDecompress };

/**
 * The only body reader: JSON, inflated when compressed, refused in the error shape when it cannot be read or is not an object.
 */
export function installBodyReaders(instance: FastifyInstance): void {
  instance.removeAllContentTypeParsers();
  instance.addHook('preParsing', (request, _reply, payload, done) => {
    const encoding = (request.headers['content-encoding'] ?? 'identity').toLowerCase();
    // Only the JSON reader inflates: a streaming route reads Node's request, which a decoder here would also consume.
    if (encoding === 'identity' || !JSON_MEDIA_TYPE.test(request.headers['content-type'] ?? '')) {
      done(null, payload);
      return;
    }
    const decoder = DECODERS[encoding];
    if (!decoder) {
      done(new UnsupportedMediaTypeException('Unsupported request body encoding'));
      return;
    }
    // fastify compares the bytes received, not the inflated ones, with Content-Length.
    const inflated = Object.assign(decoder(), { receivedEncodedLength: 0 });
    payload.on('data', (chunk: Buffer) => (inflated.receivedEncodedLength += chunk.length));
    done(null, payload.pipe(inflated));
  });
  instance.addContentTypeParser(JSON_MEDIA_TYPE, { parseAs: 'string' }, (request, body, done) => {
    try {
      done(null, parseJsonObject(request, body as string));
    } catch (error) {
      done(error as Error);
    }
  });
  // Anything else is left unread: a streaming route reads Node's request itself, and other types reach here only without a body
  // (the edge refuses the rest).
  instance.addContentTypeParser('*', (_request, _payload, done) => done(null));
}

function parseJsonObject(request: FastifyRequest, text: string): unknown {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(request.headers['content-type'] ?? '')?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') throw new UnsupportedMediaTypeException('Unsupported request body encoding');
  if (text.length === 0) return {};
  // Strict, as body-parser was: an object or an array, never a bare string, number or null.
  const first = /\S/.exec(text)?.[0];
  let body: unknown;
  try {
    if (first !== '{' && first !== '[') throw new SyntaxError('not an object or array');
    body = JSON.parse(text);
  } catch {
    throw new BadRequestException('Request body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadRequestException('Request body must be a JSON object');
  const refused = refusedField(body, '', 0);
  if (refused !== undefined) throw new ValidationFailedException([refused]);
  return body;
}

/** What the validation pipe cannot refuse: __proto__ and constructor keys, unbounded nesting, and NUL (PostgreSQL text cannot hold it). */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_BODY_DEPTH = 32;

function refusedField(value: unknown, path: string, depth: number): FieldError | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? { field: path, message: 'must not contain NUL characters' } : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  if (depth >= MAX_BODY_DEPTH) return { field: path, message: `is nested deeper than ${MAX_BODY_DEPTH} levels` };
  for (const [key, child] of Object.entries(value)) {
    const field = Array.isArray(value) ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;
    if (!Array.isArray(value) && RESERVED_KEYS.has(key)) return { field, message: 'is not a known field' };
    const refused = refusedField(child, field, depth + 1);
    if (refused !== undefined) return refused;
  }
  return undefined;
}

/** fastify's own refusals of a body it could not read (too large, shorter than announced, broken stream): 4xx with a code. */
export function bodyReadRefusal(error: unknown): { status: number; message: string } | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { statusCode, code } = error as { statusCode?: unknown; code?: unknown };
  if (typeof statusCode !== 'number' || statusCode < 400 || statusCode >= 500) return undefined;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { status: 413, message: `Request body exceeds ${BODY_LIMIT_BYTES / 1024 / 1024} MiB` };
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return { status: 415, message: 'Content-Type must be application/json' };
  return { status: statusCode, message: 'Request body could not be read' };
}
