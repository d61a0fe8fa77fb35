import { MigrationInterface, QueryRunner } from 'typeorm';
import { useSequentialShardModifications, whenCitus } from './support/citus';

const COUNTRIES: Array<[code: string, name: string, region: string, currency: string]> = [
  ['AR', 'Argentina', 'Americas', 'ARS'],
  ['AT', 'Austria', 'Europe', 'EUR'],
  ['AU', 'Australia', 'Oceania', 'AUD'],
  ['BE', 'Belgium', 'Europe', 'EUR'],
  ['BR', 'Brazil', 'Americas', 'BRL'],
  ['CA', 'Canada', 'Americas', 'CAD'],
  ['CH', 'Switzerland', 'Europe', 'CHF'],
  ['CL', 'Chile', 'Americas', 'CLP'],
  ['CN', 'China', 'Asia', 'CNY'],
  ['CO', 'Colombia', 'Americas', 'COP'],
  ['CZ', 'Czechia', 'Europe', 'CZK'],
  ['DE', 'Germany', 'Europe', 'EUR'],
  ['DK', 'Denmark', 'Europe', 'DKK'],
  ['EG', 'Egypt', 'Africa', 'EGP'],
  ['ES', 'Spain', 'Europe', 'EUR'],
  ['FI', 'Finland', 'Europe', 'EUR'],
  ['FR', 'France', 'Europe', 'EUR'],
  ['GB', 'United Kingdom', 'Europe', 'GBP'],
  ['IE', 'Ireland', 'Europe', 'EUR'],
  ['IN', 'India', 'Asia', 'INR'],
  ['IT', 'Italy', 'Europe', 'EUR'],
  ['JP', 'Japan', 'Asia', 'JPY'],
  ['KE', 'Kenya', 'Africa', 'KES'],
  ['KR', 'South Korea', 'Asia', 'KRW'],
  ['MX', 'Mexico', 'Americas', 'MXN'],
  ['NG', 'Nigeria', 'Africa', 'NGN'],
  ['NL', 'Netherlands', 'Europe', 'EUR'],
  ['NO', 'Norway', 'Europe', 'NOK'],
  ['NZ', 'New Zealand', 'Oceania', 'NZD'],
  ['PL', 'Poland', 'Europe', 'PLN'],
  ['PT', 'Portugal', 'Europe', 'EUR'],
  ['SE', 'Sweden', 'Europe', 'SEK'],
  ['SG', 'Singapore', 'Asia', 'SGD'],
  ['US', 'United States', 'Americas', 'USD'],
  ['ZA', 'South Africa', 'Africa', 'ZAR'],
];

/** Replicated to every worker, so that tenant queries join them on the shard. */
export class CreateReferenceTables1764000001000 implements MigrationInterface {
  name = 'CreateReferenceTables1764000001000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await useSequentialShardModifications(queryRunner);
    await queryRunner.query(`
      CREATE TABLE country (
        code char(2) PRIMARY KEY CHECK (code ~ '^[A-Z]{2}$'),
        name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
        region text NOT NULL CHECK (char_length(region) BETWEEN 1 AND 50),
        currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$')
      )`);
    await queryRunner.query(`
      CREATE TABLE plans (
        id text PRIMARY KEY CHECK (id ~ '^[a-z][a-z0-9_]{0,31}$'),
        name text NOT NULL,
        requests_per_minute integer NOT NULL CHECK (requests_per_minute > 0),
        max_items_per_order integer NOT NULL CHECK (max_items_per_order BETWEEN 1 AND 100),
        statement_timeout_ms integer NOT NULL CHECK (statement_timeout_ms BETWEEN 100 AND 60000)
      )`);
    await whenCitus(queryRunner, [`SELECT create_reference_table('country')`, `SELECT create_reference_table('plans')`]);

    const values = COUNTRIES.map((_, index) => `($${index * 4 + 1}, $${index * 4 + 2}, $${index * 4 + 3}, $${index * 4 + 4})`);
    await queryRunner.query(`INSERT INTO country (code, name, region, currency) VALUES ${values.join(', ')}`, COUNTRIES.flat());
    await queryRunner.query(`
      INSERT INTO plans (id, name, requests_per_minute, max_items_per_order, statement_timeout_ms) VALUES
        ('free', 'Free', 1200, 100, 2000),
        ('pro', 'Pro', 6000, 100, 5000),
        ('enterprise', 'Enterprise', 60000, 100, 5000)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE plans`);
    await queryRunner.query(`DROP TABLE country`);
  }
}
