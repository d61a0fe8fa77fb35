import { Transform } from 'class-transformer';

/** Plain decimal digits only: Number() would take ' 5', '1e1' and '0x10'. Anything else stays a string for the validators to refuse. */
export function QueryInt(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => (typeof value === 'string' && /^[0-9]{1,9}$/.test(value) ? Number(value) : value));
}
