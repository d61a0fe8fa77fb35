import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
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

/**
 * Path parameters are parsed by their own strict pipes (ParseIdPipe, ParseUuidPipe), which run
 * after the global pipe and must see the text as it was sent: converted to a number first,
 * '01', '1e3' and '0x10' would reach them as 1, 1000 and 16 and pass as ids.
 */
class ApiValidationPipe extends ValidationPipe {
  protected override transformPrimitive(value: unknown, metadata: ArgumentMetadata): unknown {
    return metadata.type === 'param' ? value : super.transformPrimitive(value, metadata);
  }
}

/** The global pipe: unknown fields are errors, types are converted only where a DTO asks for it. */
export function createValidationPipe(): ValidationPipe {
  return new ApiValidationPipe({
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
