/**
 * `archival lake <table>`: the SQL to query a table's archives where they
 * lie. Files come from the catalog (live archives only: purged or restored),
 * column types from the newest live archive's manifest once it matched the
 * catalog (readTrustedManifest); lake-sql.ts quotes every name and path.
 */
import { Inject, Injectable } from '@nestjs/common';
import { dirname, join } from 'node:path';
import { NotFoundError } from '../archival.errors';
import { ArchivedPartition } from '../catalog/archived-partition.entity';
import { CatalogService } from '../catalog/catalog.service';
import { LIVE } from '../catalog/statuses';
import { parseTableName } from '../sql/sql-identifier';
import { readTrustedManifest } from '../readback/trusted-manifest';
import { STORAGE_PROVIDER, StorageProvider } from '../storage/storage-provider.interface';
import { athenaSql, duckDbSql, LakeFile, LakeTable } from './lake-sql';
import { LakeColumn } from './lake-types';

export interface LakeReport {
  schema: string;
  table: string;
  archives: number;
  rows: number;
  columns: LakeColumn[];
  files: LakeFile[];
  duckdb: string;
  athena: string;
}

@Injectable()
export class LakeService {
  constructor(
    private readonly catalog: CatalogService,
    @Inject(STORAGE_PROVIDER) private readonly storage: StorageProvider,
  ) {}

  async lake(tableName: string): Promise<LakeReport> {
    const table = parseTableName(tableName);
    const all = await this.catalog.listArchives({ table: table.name, schema: table.schema, limit: Number.MAX_SAFE_INTEGER });
    const live = all.filter((a) => LIVE.includes(a.status));
    if (all.length === 0) throw new NotFoundError(`table ${tableName} not found: the catalog holds no archive of ${table.schema}.${table.name}`);
    if (live.length === 0) throw new NotFoundError(`table ${tableName} has no live archive (${all.length} archive(s), none purged or restored)`);
    const newest = live[live.length - 1];
    const manifest = await readTrustedManifest(this.storage, newest);
    const columns = manifest.columns.map(({ name, typname, type, encoding }) => ({ name, typname, type, encoding }));
    const files = live.map((a) => ({ url: this.url(a.archivePath), format: a.format === 'parquet' ? 'parquet' : 'json', encrypted: a.encrypted }) as LakeFile);
    const years = live.map((a) => Number(a.startDate.slice(0, 4)));
    const lake: LakeTable = {
      name: table.name, columns, files,
      folder: `${this.url(tableFolder(newest.archivePath))}/`,
      years: [Math.min(...years), Math.max(...years)],
    };
    return {
      schema: table.schema, table: table.name, archives: live.length, rows: live.reduce((sum, a) => sum + a.rowCount, 0),
      columns, files, duckdb: duckDbSql(lake), athena: this.athena(lake, newest),
    };
  }

  /** The archive's URL: under the local root, or the s3:// location. */
  private url(key: string): string {
    return this.storage.type === 's3' ? `${this.storage.location.replace(/\/+$/, '')}/${key}` : join(this.storage.location, key);
  }

  /** One Athena table reads one format: the newest archive's (older archives in another format need a table of their own). */
  private athena(lake: LakeTable, newest: ArchivedPartition): string {
    const sql = athenaSql(lake, newest.format === 'parquet' ? 'parquet' : 'json');
    const formats = new Set(lake.files.map((f) => f.format));
    const notes = [
      ...(this.storage.type === 's3' ? [] : ['-- Athena reads S3 only: these archives are on a local volume; copy the folder to S3 and change LOCATION.']),
      ...(formats.size > 1 ? [`-- The table's archives are in ${[...formats].join(' and ')}; this table reads the ${newest.format} ones.`] : []),
    ];
    return [...notes, sql].join('\n');
  }
}

/** The table's folder in a key: before `/year=` (Hive layout), or the key's folder (flat keys of earlier versions). */
function tableFolder(key: string): string {
  const hive = key.indexOf('/year=');
  return hive >= 0 ? key.slice(0, hive) : dirname(key);
}
