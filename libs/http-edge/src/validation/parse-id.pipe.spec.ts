import { ValidationFailedException } from '../errors/exceptions';
import { ParseIdPipe, ParseUuidPipe } from './parse-id.pipe';

describe('ParseIdPipe', () => {
  const pipe = new ParseIdPipe();

  it('accepts positive integers', () => {
    expect(pipe.transform('1')).toBe(1);
    expect(pipe.transform('9007199254740991')).toBe(9007199254740991);
  });

  it.each(['0', '-1', '1.5', '1e3', 'abc', '', ' 1', '01', '9007199254740992', '99999999999999999999'])('rejects %j', (value) => {
    expect(() => pipe.transform(value)).toThrow(ValidationFailedException);
  });
});

describe('ParseUuidPipe', () => {
  const pipe = new ParseUuidPipe('tenantId');

  it('accepts and lower-cases UUIDs', () => {
    expect(pipe.transform('0F0E0D0C-0B0A-4909-8807-060504030201')).toBe('0f0e0d0c-0b0a-4909-8807-060504030201');
  });

  it.each(['not-a-uuid', '0f0e0d0c0b0a49098807060504030201', "0f0e0d0c-0b0a-4909-8807-060504030201'"])('rejects %j', (value) => {
    expect(() => pipe.transform(value)).toThrow(ValidationFailedException);
  });
});
