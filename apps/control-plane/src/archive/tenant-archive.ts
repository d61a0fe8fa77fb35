import { createHash, Hash } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import { BadRequestException } from '@nestjs/common';
import { TENANT_TABLES, TenantTable } from '@app/persistence';
import { TenantStatus } from '@app/tenants';
import type { StoredCounter } from '@app/usage';

/**
 * NDJSON: a tenant line, {table, row} lines in TENANT_TABLES order, {usage} lines (the tenant's usage counters per UTC day), and a
 * manifest of counts and SHA-256 of each table's lines, and of the usage lines, as written.
 */
export interface ArchivedTenant {
  id: string;
  name: string;
  plan: string;
  status: TenantStatus;
  createdAt: string;
}

export interface ArchiveManifest {
  tenantId: string;
  exportedAt: string;
  tables: TenantTable[];
  counts: Record<TenantTable, number>;
  sha256: Record<TenantTable, string>;
  usage: { count: number; sha256: string };
}

export const tenantLine = (tenant: ArchivedTenant): string => `${JSON.stringify({ tenant })}\n`;
export const rowLine = (table: TenantTable, row: unknown): string => `${JSON.stringify({ table, row })}\n`;
export const usageLine = (usage: StoredCounter): string => `${JSON.stringify({ usage })}\n`;
export const manifestLine = (manifest: ArchiveManifest): string => `${JSON.stringify({ manifest })}\n`;

export class ArchiveDigest {
  private readonly hashes = Object.fromEntries(TENANT_TABLES.map((table) => [table, createHash('sha256')])) as Record<TenantTable, Hash>;
  readonly counts = Object.fromEntries(TENANT_TABLES.map((table) => [table, 0])) as Record<TenantTable, number>;

  private readonly usageHash = createHash('sha256');
  usageCount = 0;

  add(table: TenantTable, line: string): void {
    this.hashes[table].update(line);
    this.counts[table] += 1;
  }

  addUsage(line: string): void {
    this.usageHash.update(line);
    this.usageCount += 1;
  }

  usage(): { count: number; sha256: string } {
    return { count: this.usageCount, sha256: this.usageHash.copy().digest('hex') };
  }

  sha256(): Record<TenantTable, string> {
    return Object.fromEntries(TENANT_TABLES.map((table) => [table, this.hashes[table].copy().digest('hex')])) as Record<TenantTable, string>;
  }
}

/** No row comes near this; a longer line is a damaged or hostile archive, not something to buffer. */
export const MAX_ARCHIVE_LINE_BYTES = 1024 * 1024;

/** Read only as fast as consumed, so an archive never sits in memory. Not readline: it emits lines before its iterator is awaited, and loses them. */
export async function* readLines(stream: AsyncIterable<Buffer | string>, maxLineBytes: number): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  for await (const chunk of stream) {
    pending += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    // Lines are cut from where the last one ended; what is left is kept once per chunk.
    let start = 0;
    for (let newline = pending.indexOf('\n'); newline >= 0; newline = pending.indexOf('\n', start)) {
      yield pending.slice(start, newline).replace(/\r$/, '');
      start = newline + 1;
    }
    pending = pending.slice(start);
    if (pending.length > maxLineBytes) throw new BadRequestException(`An archive line is longer than ${maxLineBytes} bytes`);
  }
  pending += decoder.end();
  if (pending !== '') yield pending;
}
