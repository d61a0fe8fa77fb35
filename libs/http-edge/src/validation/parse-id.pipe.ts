import { CANONICAL_UUID } from '@app/tenancy';
import { PipeTransform } from '@nestjs/common';
import { ValidationFailedException } from '../errors/exceptions';

export class ParseIdPipe implements PipeTransform<string, number> {
  constructor(private readonly field = 'id') {}

  transform(value: string): number {
    const id = /^[1-9][0-9]{0,15}$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(id)) {
      throw new ValidationFailedException([{ field: this.field, message: `${this.field} must be a positive integer` }]);
    }
    return id;
  }
}

export class ParseUuidPipe implements PipeTransform<string, string> {
  constructor(private readonly field = 'id') {}

  transform(value: string): string {
    if (typeof value !== 'string' || !CANONICAL_UUID.test(value.toLowerCase())) {
      throw new ValidationFailedException([{ field: this.field, message: `${this.field} must be a UUID` }]);
    }
    return value.toLowerCase();
  }
}
