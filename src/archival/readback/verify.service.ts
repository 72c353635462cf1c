/**
 * Proves the archives are intact, without touching the hot tables: each
 * archive is read back through its codec and checked against the catalog
 * (size, SHA-256 of the stored bytes and of the content, row count, key
 * sequence), its manifest against the catalog and the per-table hash chain;
 * and storage against the catalog, both ways (orphans).
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { MissingObjectError } from '../archival.errors';
import { ArchivedPartition } from '../catalog/archived-partition.entity';
import { ArchiveFilter, CatalogService } from '../catalog/catalog.service';
import { ARCHIVE_CODECS, ArchiveCodecs } from '../codec/archive-codec';
import { Manifest, readManifest } from '../engine/manifest';
import { ArchivalMetrics } from '../metrics/archival.metrics';
import { STORAGE_PROVIDER, StorageProvider } from '../storage/storage-provider.interface';
import { readRecordedArchive } from './recorded-archive';

export interface ArchiveProblem {
  archiveId: number;
  table: string;
  path: string;
  problem: string;
}

export interface VerifyReport {
  checked: number;
  ok: number;
  problems: ArchiveProblem[];
  /** Objects in storage that no catalog row names (only for a full verify). */
  untracked: string[];
  /** Catalog rows (verified or purged) whose archive or manifest object is missing. */
  missing: { archiveId: number; path: string }[];
  /**
   * Superseded archives in scope: not read (a newer archive holds their rows),
   * their file gone from the table's folder (fileRemoved) or about to go.
   */
  superseded: { archiveId: number; path: string; supersededBy: number | null; fileRemoved: boolean }[];
}

export interface VerifyScope {
  archiveId?: number;
  table?: string;
  from?: string;
  to?: string;
}

const CHECKED_STATUSES = new Set<string>(['verified', 'purged', 'restored']);

@Injectable()
export class VerifyService {
  private readonly logger = new Logger(VerifyService.name);

  constructor(
    private readonly catalog: CatalogService,
    @Inject(STORAGE_PROVIDER) private readonly storage: StorageProvider,
    @Inject(ARCHIVE_CODECS) private readonly codecs: ArchiveCodecs,
    private readonly metrics: ArchivalMetrics,
  ) {}

  async verify(scope: VerifyScope = {}): Promise<VerifyReport> {
    const archives = await this.archivesIn(scope);
    const report: VerifyReport = { checked: 0, ok: 0, problems: [], untracked: [], missing: [], superseded: [] };
    for (const archive of archives.filter((a) => a.status === 'superseded')) {
      report.superseded.push({ archiveId: archive.id, path: archive.archivePath, supersededBy: archive.supersededBy, fileRemoved: archive.fileRemovedAt !== null });
    }
    const chain = await this.chainIndex(archives);
    for (const archive of archives.filter((a) => CHECKED_STATUSES.has(a.status))) {
      report.checked++;
      for (const path of [archive.archivePath, archive.manifestPath]) {
        if (!(await this.storage.stat(path))) report.missing.push({ archiveId: archive.id, path });
      }
      const problems = await this.check(archive, chain);
      if (problems.length === 0) {
        report.ok++;
        continue;
      }
      for (const problem of problems) {
        report.problems.push({ archiveId: archive.id, table: archive.tableName, path: archive.archivePath, problem });
      }
      this.metrics.verifyFailed(archive);
      this.logger.error({ event: 'archive.verify_failed', archive: archive.archivePath, table: archive.tableName, problems });
    }
    if (scope.archiveId === undefined && !scope.table && !scope.from && !scope.to) {
      report.untracked = await this.untracked(await this.catalog.listArchives({ limit: Number.MAX_SAFE_INTEGER }));
    }
    return report;
  }

  /** Verifies one archive; an empty list means intact. */
  async check(archive: ArchivedPartition, chain?: Map<string, ArchivedPartition>): Promise<string[]> {
    const problems: string[] = [];
    let manifest: Manifest;
    try {
      const read = await readManifest(this.storage, archive.manifestPath);
      manifest = read.manifest;
      const { sha256 } = read;
      if (archive.manifestSha256 && sha256 !== archive.manifestSha256) {
        problems.push(`manifest ${archive.manifestPath} was altered: SHA-256 ${sha256}, catalog has ${archive.manifestSha256}`);
      }
      if (manifest.sha256 !== archive.sha256 || manifest.rowCount !== archive.rowCount) {
        problems.push(`manifest ${archive.manifestPath} disagrees with the catalog (SHA-256 or row count)`);
      }
      const previous = manifest.previousManifestSha256;
      if (chain && previous !== null && !chain.has(`${archive.tableName}:${previous}`)) {
        problems.push(`hash chain broken: manifest ${archive.manifestPath} links to a previous manifest (${previous}) that no earlier archive of ${archive.tableName} has`);
      }
    } catch (error) {
      problems.push(this.describe(error as Error, archive.manifestPath));
      return problems;
    }
    try {
      const differences = await readRecordedArchive(this.storage, this.codecs, archive, manifest);
      problems.push(...differences.map((p) => `${archive.archivePath}: ${p}`));
    } catch (error) {
      problems.push(this.describe(error as Error, archive.archivePath));
    }
    return problems;
  }

  private describe(error: Error, path: string): string {
    if (error instanceof MissingObjectError) return `object ${path} is missing from ${this.storage.location}`;
    return `${path} cannot be read: ${error.message}`;
  }

  private async archivesIn(scope: VerifyScope): Promise<ArchivedPartition[]> {
    if (scope.archiveId !== undefined) {
      const archive = await this.catalog.findArchive(scope.archiveId);
      return archive ? [archive] : [];
    }
    const filter: ArchiveFilter = { table: scope.table, from: scope.from, to: scope.to, limit: Number.MAX_SAFE_INTEGER };
    return this.catalog.listArchives(filter);
  }

  /** Manifest SHA-256 of every archive of the tables concerned: a link must point at one of them. */
  private async chainIndex(archives: ArchivedPartition[]): Promise<Map<string, ArchivedPartition>> {
    const index = new Map<string, ArchivedPartition>();
    for (const table of new Set(archives.map((a) => a.tableName))) {
      for (const archive of await this.catalog.listArchives({ table, limit: Number.MAX_SAFE_INTEGER })) {
        if (archive.manifestSha256) index.set(`${table}:${archive.manifestSha256}`, archive);
      }
    }
    return index;
  }

  private async untracked(all: ArchivedPartition[]): Promise<string[]> {
    const known = new Set(all.flatMap((a) => [a.archivePath, a.manifestPath]));
    const strays: string[] = [];
    for await (const object of this.storage.list('')) {
      if (!known.has(object.key) && !object.key.startsWith('.archival-health-check-')) strays.push(object.key);
    }
    return strays;
  }
}
