import { ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldError, ValidationFailedException } from '../errors/exceptions';

/**
 * Flattens class-validator's tree into `field` paths as the client wrote them:
 * `items[0].quantity`, `note`, `items`.
 */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const segment = /^\d+$/.test(error.property) ? `[${error.property}]` : error.property;
    const field = parent === '' ? segment : segment.startsWith('[') ? `${parent}${segment}` : `${parent}.${segment}`;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message: ownMessage(message, error) }));
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

function ownMessage(message: string, error: ValidationError): string {
  // whitelist errors read "property x should not exist"; say it the way an API reference would.
  return error.constraints?.whitelistValidation === message ? 'is not a known field' : message;
}

/** The global pipe: unknown fields are errors, types are converted only where a DTO asks for it. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    stopAtFirstError: false,
    exceptionFactory: (errors) => new ValidationFailedException(flattenValidationErrors(errors)),
  });
}
