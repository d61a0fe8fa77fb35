import { Transform } from 'class-transformer';

/**
 * Reads an integer query parameter written in plain decimal digits. `Number()` would also take
 * ' 5', '1e1' and '0x10'; anything but digits is left as the string it was, so the integer
 * validators after it answer 400.
 */
export function QueryInt(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => (typeof value === 'string' && /^[0-9]{1,9}$/.test(value) ? Number(value) : value));
}
