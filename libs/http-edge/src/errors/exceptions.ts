import { BadRequestException, HttpException, HttpStatus, ServiceUnavailableException } from '@nestjs/common';

export interface FieldError {
  field: string;
  message: string;
}

export class ValidationFailedException extends BadRequestException {
  constructor(
    readonly details: FieldError[],
    message = 'Validation failed',
  ) {
    super(message);
  }
}

export interface RetryAfter {
  readonly retryAfterSeconds: number;
}

export class DatabaseUnavailableException extends ServiceUnavailableException implements RetryAfter {
  constructor(
    readonly retryAfterSeconds = 1,
    message = 'The database is temporarily unavailable; retry later',
  ) {
    super(message);
  }
}

export class RateLimitedException extends HttpException implements RetryAfter {
  constructor(readonly retryAfterSeconds: number) {
    super('Rate limit exceeded for this tenant', HttpStatus.TOO_MANY_REQUESTS);
  }
}

export function hasRetryAfter(error: unknown): error is RetryAfter {
  return typeof error === 'object' && error !== null && typeof (error as Partial<RetryAfter>).retryAfterSeconds === 'number';
}
