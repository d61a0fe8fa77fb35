import { ValidationError } from 'class-validator';
import { flattenValidationErrors } from './validation';

function error(property: string, constraints?: Record<string, string>, children: ValidationError[] = []): ValidationError {
  return Object.assign(new ValidationError(), { property, constraints, children });
}

describe('flattenValidationErrors', () => {
  it('writes nested array paths as the client wrote them', () => {
    const tree = [
      error('items', undefined, [error('0', undefined, [error('quantity', { max: 'quantity must not be greater than 10000' })])]),
      error('note', { maxLength: 'note must be shorter than or equal to 1000 characters' }),
    ];
    expect(flattenValidationErrors(tree)).toEqual([
      { field: 'items[0].quantity', message: 'quantity must not be greater than 10000' },
      { field: 'note', message: 'note must be shorter than or equal to 1000 characters' },
    ]);
  });

  it('names unknown fields plainly', () => {
    expect(flattenValidationErrors([error('tenantId', { whitelistValidation: 'property tenantId should not exist' })])).toEqual([
      { field: 'tenantId', message: 'is not a known field' },
    ]);
  });
});
