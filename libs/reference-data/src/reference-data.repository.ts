import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Connection } from '@app/persistence';

export interface CountryRecord {
  code: string;
  name: string;
  region: string;
  currency: string;
}

export interface PlanRecord {
  id: string;
  name: string;
  requestsPerMinute: number;
  maxItemsPerOrder: number;
  statementTimeoutMs: number;
}

@Injectable()
export class ReferenceDataRepository {
  constructor(@InjectDataSource(Connection.Control) private readonly dataSource: DataSource) {}

  countries(): Promise<CountryRecord[]> {
    return this.dataSource.query(`SELECT rtrim(code) AS code, name, region, currency FROM country ORDER BY code`);
  }

  plans(): Promise<PlanRecord[]> {
    return this.dataSource.query(
      `SELECT id, name, requests_per_minute AS "requestsPerMinute", max_items_per_order AS "maxItemsPerOrder",
              statement_timeout_ms AS "statementTimeoutMs"
         FROM plans ORDER BY requests_per_minute, id`,
    );
  }
}
