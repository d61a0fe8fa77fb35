import { plainToInstance } from 'class-transformer';
import { IsInt, validateSync } from 'class-validator';
import { QueryInt } from './query-int';

class Query {
  @QueryInt()
  @IsInt()
  limit: number;
}

describe('QueryInt', () => {
  it('reads plain decimal digits', () => {
    expect(plainToInstance(Query, { limit: '25' }).limit).toBe(25);
  });

  it.each([' 5', '1e1', '0x10', '5.0', '-1', '', '9999999999'])('leaves %j for the validators to refuse', (limit) => {
    expect(validateSync(plainToInstance(Query, { limit }))).toHaveLength(1);
  });
});
