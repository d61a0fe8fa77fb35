import { Injectable } from '@nestjs/common';
import { CountryRecord, PlanRecord, ReferenceDataRepository } from './reference-data.repository';

const REFRESH_MS = 5 * 60_000;

interface Snapshot {
  countries: CountryRecord[];
  countriesByCode: Map<string, CountryRecord>;
  plans: PlanRecord[];
  loadedAt: number;
}

/** Reference data changes with a deploy, not with traffic: validating a country costs no round trip. */
@Injectable()
export class CatalogService {
  private snapshot?: Promise<Snapshot>;

  constructor(private readonly referenceData: ReferenceDataRepository) {}

  async countries(): Promise<CountryRecord[]> {
    return (await this.load()).countries;
  }

  async plans(): Promise<PlanRecord[]> {
    return (await this.load()).plans;
  }

  async country(code: string): Promise<CountryRecord | undefined> {
    return (await this.load()).countriesByCode.get(code);
  }

  async plan(id: string): Promise<PlanRecord | undefined> {
    return (await this.load()).plans.find((plan) => plan.id === id);
  }

  private async load(): Promise<Snapshot> {
    const current = this.snapshot ? await this.snapshot.catch(() => undefined) : undefined;
    if (current && Date.now() - current.loadedAt < REFRESH_MS) return current;
    this.snapshot = this.fetch();
    // A failed load must not be cached: the next call tries again.
    this.snapshot.catch(() => (this.snapshot = undefined));
    return this.snapshot;
  }

  private async fetch(): Promise<Snapshot> {
    const [countries, plans] = await Promise.all([this.referenceData.countries(), this.referenceData.plans()]);
    return { countries, plans, countriesByCode: new Map(countries.map((country) => [country.code, country])), loadedAt: Date.now() };
  }
}
