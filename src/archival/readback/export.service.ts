/**
 * One entity's full history for a compliance request: a session (or call, or
 * any job's main row) by key, with its child rows, from the hot tables and
 * from the archives. Archives are found through the catalog (the parent
 * archives whose key range holds the key, then their child archives), never
 * by scanning storage. Restored archives are left out (their rows are back
 * in the hot table, read from there), and so are superseded ones (a newer
 * archive holds their rows). Output is JSON Lines, the parent first, then each child
 * table's rows in key order:
 *   {"table":"flow_execution_deltas","source":"archive","archive":"...","row":{...}}
 */
import { Inject, Injectable } from '@nestjs/common';
import { CorruptArchiveError, InvalidInputError, NotFoundError, UnknownJobError } from '../archival.errors';
import { Archiver, ARCHIVERS } from '../archiver';
import { TableArchiver } from '../archivers/table.archiver';
import { ArchivedPartition } from '../catalog/archived-partition.entity';
import { CatalogService } from '../catalog/catalog.service';
import { ARCHIVE_CODECS, ArchiveCodecs } from '../codec/archive-codec';
import { jsonLineExpression, jsonSelectList } from '../codec/jsonl.format';
import { ArchivalDatabase } from '../engine/archival-database';
import { parseTableName, quoteIdent, quoteTable } from '../sql/sql-identifier';
import { describeTable, TableShape } from '../engine/table-introspector';
import { STORAGE_PROVIDER, StorageProvider } from '../storage/storage-provider.interface';
import { readTrustedManifest } from './trusted-manifest';
import { readRecordedArchive } from './recorded-archive';
import { canonicalLines } from '../codec/canonical-json';

interface Found {
  table: string;
  source: 'hot' | 'archive';
  archive: string | null;
  key: string;
  line: string;
}

@Injectable()
export class ExportService {
  constructor(
    @Inject(ARCHIVERS) private readonly archivers: Archiver[],
    private readonly catalog: CatalogService,
    private readonly db: ArchivalDatabase,
    @Inject(STORAGE_PROVIDER) private readonly storage: StorageProvider,
    @Inject(ARCHIVE_CODECS) private readonly codecs: ArchiveCodecs,
  ) {}

  /**
   * Every row of entity `id` of `job`'s main table and its children, as JSON Lines (parent first, children in key order).
   * An id found nowhere (not in the table, not in any archive) is not found, for REST and CLI alike.
   */
  async export(job: string, id: string): Promise<string[]> {
    const archiver = this.archivers.find((a) => a.job === job);
    if (!archiver) throw new UnknownJobError(job, this.archivers.map((a) => a.job));
    if (!(archiver instanceof TableArchiver)) throw new InvalidInputError(`job ${job} has no table spec to export from`);
    const spec = archiver.spec;
    const parent = await this.shape(spec.table, spec.key, spec.time);
    await this.assertKey(parent, id);
    const found: Found[][] = [];
    const parentArchives = await this.catalog.archivesHoldingKey(parent.table, parent.keyType, id);
    found.push([
      ...(await this.hot(parent, spec.key, id)),
      ...(await this.fromArchives(parent, parentArchives, spec.key, id)),
    ]);
    for (const child of spec.children ?? []) {
      const shape = await this.shape(child.table, child.key ?? 'id');
      const childArchives = (await Promise.all(parentArchives.map((a) => this.catalog.childArchives(a.id))))
        .flat()
        .filter((a) => a.tableName === shape.table.name && (a.status === 'purged' || a.status === 'verified'));
      const rows = [...(await this.hot(shape, child.foreignKey, id)), ...(await this.fromArchives(shape, childArchives, child.foreignKey, id))];
      found.push(rows.sort((a, b) => compareKeys(a.key, b.key)));
    }
    if (found.every((rows) => rows.length === 0)) {
      throw new NotFoundError(`${job} has no entity with key ${JSON.stringify(id)}, in the table or in its archives`);
    }
    return found.flat().map((f) =>
      `{"table":${JSON.stringify(f.table)},"source":"${f.source}","archive":${JSON.stringify(f.archive)},"row":${f.line}}`);
  }

  private shape(table: string, key: string, time?: string): Promise<TableShape> {
    return this.db.withClient((client) => describeTable(client, parseTableName(table), key, time));
  }

  /** A key that does not parse as the key column's type is a clear error, not an empty export. */
  private async assertKey(shape: TableShape, id: string): Promise<void> {
    await this.db.withClient((client) => client.query(`SELECT $1::${shape.keyType}`, [id])).catch(() => {
      throw new InvalidInputError(`${JSON.stringify(id)} is not a valid ${shape.keyType} key of ${shape.table.name}`);
    });
  }

  private async hot(shape: TableShape, column: string, id: string): Promise<Found[]> {
    const type = shape.columns.find((c) => c.name === column)?.type ?? shape.keyType;
    const { rows } = await this.db.withClient((client) =>
      client.query<{ key: string; line: string }>(
        `SELECT t.${quoteIdent(shape.key)}::text AS key, ${jsonLineExpression(shape.columns)} AS line
           FROM ${quoteTable(shape.table)} t CROSS JOIN LATERAL (SELECT ${jsonSelectList(shape.columns, shape.key, 't')}) r
          WHERE t.${quoteIdent(column)} = $1::${type} ORDER BY t.${quoteIdent(shape.key)}`,
        [id],
      ),
    );
    return rows.map((r) => ({ table: shape.table.name, source: 'hot', archive: null, key: r.key, line: r.line }));
  }

  /** Rows of `archives` whose `column` is `id`, each in the one canonical rendering (codec/canonical-json.ts), whatever the archive's format. */
  private async fromArchives(shape: TableShape, archives: ArchivedPartition[], column: string, id: string): Promise<Found[]> {
    const found: Found[] = [];
    for (const archive of archives) {
      const from = found.length;
      const manifest = await readTrustedManifest(this.storage, archive);
      const problems = await readRecordedArchive(this.storage, this.codecs, archive, manifest, async (lines) => {
        for (const bytes of lines) {
          const line = bytes.toString('utf8');
          const row = JSON.parse(line) as Record<string, unknown>;
          if (String(row[column]) === id) {
            found.push({ table: archive.tableName, source: 'archive', archive: archive.archivePath, key: String(row[manifest.keyColumn]), line });
          }
        }
      });
      if (problems.length > 0) throw new CorruptArchiveError(`archive ${archive.archivePath} failed verification while exporting: ${problems.join('; ')}`, archive.archivePath);
      const rendered = await this.db.withClient((client) =>
        canonicalLines(client, quoteTable(shape.table), shape.columns, shape.key, found.slice(from).map((f) => f.line)));
      rendered.forEach((line, index) => (found[from + index].line = line));
    }
    return found;
  }
}

function compareKeys(a: string, b: string): number {
  if (/^-?\d+$/.test(a) && /^-?\d+$/.test(b)) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}
