import { STATUS_CODES } from 'node:http';
import type { FieldError } from './exceptions';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  requestId: string;
  details?: FieldError[];
}

export function errorBody(statusCode: number, message: string, requestId: string, details?: FieldError[]): ErrorBody {
  const body: ErrorBody = { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message, requestId };
  if (details) body.details = details;
  return body;
}
