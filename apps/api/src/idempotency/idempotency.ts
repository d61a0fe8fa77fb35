import { createHash } from 'node:crypto';
import { ConflictException, createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ValidationFailedException } from '@app/http-edge';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

/** What a tenant write function answers for a request with a key: stored outcomes replay, a key seen with another body is refused. */
export type IdempotentOutcome = 'created' | 'replayed' | 'key_reused';

export const IDEMPOTENCY_HEADER_DOC = {
  name: IDEMPOTENCY_KEY_HEADER,
  required: false,
  description:
    'Up to 200 characters. Retrying with the same key and body returns the original result with `Idempotent-Replayed: true` and writes nothing; the same key with another body is a 409.',
};

export const IdempotencyKey = createParamDecorator((_data: unknown, context: ExecutionContext): string | null => {
  const value = context.switchToHttp().getRequest<FastifyRequest>().headers['idempotency-key'];
  if (value === undefined) return null;
  if (typeof value !== 'string' || !/^[\x20-\x7e]{1,200}$/.test(value)) {
    throw new ValidationFailedException([{ field: IDEMPOTENCY_KEY_HEADER, message: 'must be 1 to 200 printable ASCII characters' }]);
  }
  return value;
});

/** The operation, its target and its validated body, with keys sorted so field order does not matter. */
export function requestFingerprint(operation: string, payload: unknown): string {
  return createHash('sha256')
    .update(`${operation}\n${canonicalJson(payload)}`)
    .digest('hex');
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, entry]) => entry !== undefined)
      .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonicalJson(entry)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export interface IdempotentResult<T> {
  value: T;
  replayed: boolean;
}

/** Orders, payments and refunds alike. Nothing stored means the row the key pointed to is gone since: try again. */
export function settleIdempotentWrite<T>(stored: { outcome: IdempotentOutcome; record: T } | null): IdempotentResult<T> {
  if (!stored) throw new ConflictException('Idempotency key is being used by a request in progress; retry');
  if (stored.outcome === 'key_reused') throw new ConflictException('Idempotency key was already used with a different request');
  return { value: stored.record, replayed: stored.outcome === 'replayed' };
}

export function markReplay<T>(reply: FastifyReply, result: IdempotentResult<T>): T {
  if (result.replayed) void reply.header(IDEMPOTENT_REPLAYED_HEADER, 'true');
  return result.value;
}
