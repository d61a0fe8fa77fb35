import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldError, ValidationFailedException } from '../errors/exceptions';

/** Field paths as the client wrote them: items[0].quantity, note, items. */
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

/** Path ids are parsed by strict pipes after this one and must see the text as sent: converted first, '01', '1e3' and '0x10' would pass. */
class ApiValidationPipe extends ValidationPipe {
  protected override transformPrimitive(value: unknown, metadata: ArgumentMetadata): unknown {
    return metadata.type === 'param' ? value : super.transformPrimitive(value, metadata);
  }
}

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
