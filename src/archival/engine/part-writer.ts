/**
 * write: one part of a month window, as archives on record. The parent rows
 * (at most ARCHIVAL_MAX_ROWS_PER_FILE, keyset after the previous part), then
 * each child table's rows of exactly those parents; each archive goes
 * select → encode → compress → hash → write → record ("written"). Nothing is
 * read back or deleted here: the part sealer and the purge do that.
 */
import { Logger } from '@nestjs/common';
import { PoolClient } from 'pg';
import { NewArchive } from '../catalog/catalog.service';
import { ArchiveCodec } from '../codec/archive-codec';
import { archiveKey, isoDate, lastDay, manifestKey, MonthWindow, partitionName, uniqueOfRun } from './archive-naming';
import { writeArchive, WrittenArchive } from './archive-writer';
import { Eligibility, eligiblePredicate, keyBound } from './eligibility';
import { hookContext, reached, StepOptions } from './engine-services';
import { parentKeysJoin, stageParentKeys } from './parent-keys';
import { RowSource, RowSourceOptions } from './row-source';
import { assertIdentifier, quoteIdent, quoteTable } from '../sql/sql-identifier';
import { TableShape } from './table-introspector';
import { TableTarget } from './table-target';
import { RecordedArchive, WrittenPart } from './written-part';

/** Fields known only once an archive was fully written. */
type RecordedSizes = 'rowCount' | 'uncompressedSize' | 'compressedSize' | 'sha256' | 'contentSha256' | 'keysSha256' | 'minPk' | 'maxPk';

export interface PartWriterOptions extends StepOptions {
  target: TableTarget;
  eligibility: Eligibility;
}

/** One archive to write: whose rows, under which name, and how its row source opens on the writing connection. */
interface ArchiveRequest {
  shape: TableShape;
  name: string;
  window: MonthWindow;
  parentId: number | null;
  open: (client: PoolClient) => RowSource | Promise<RowSource>;
  /** Called once the archive's part number is taken. */
  numbered?: () => void;
}

/** A part's key range and its own stop, when it is written beside another (overlapped-parts.ts). */
export interface PartRange {
  /** The part's last key at the latest. */
  until?: string;
  signal?: AbortSignal;
  numbered?: () => void;
}

export class PartWriter {
  private readonly logger = new Logger(PartWriter.name);

  constructor(private readonly options: PartWriterOptions) {}

  /**
   * The next part of `window`, starting after key `after`; undefined when no
   * eligible row is left. With `range` (a part written beside another,
   * overlapped-parts.ts): ending at key `until` at the latest, stopped at its
   * next batch once `signal` aborts, `numbered` called once its part number
   * is taken.
   */
  async write(window: MonthWindow, after: string | undefined, range: PartRange = {}): Promise<WrittenPart | undefined> {
    const { target } = this.options;
    const started = Date.now();
    const parent = await this.writeArchive({
      shape: target.shape, name: target.spec.archiveName ?? target.shape.table.name, window, parentId: null, numbered: range.numbered,
      open: (client) => new RowSource(client, target.shape, this.rowSource(target.shape, {
        predicate: this.partPredicate(window, range.until), limit: this.options.services.options.maxRowsPerFile, startAfter: after,
      }, range.signal)),
    });
    if (!parent) return undefined;
    const children: RecordedArchive[] = [];
    for (const child of target.children) {
      const written = await this.writeArchive({
        shape: child.shape, name: child.shape.table.name, window, parentId: parent.record.id,
        open: async (client) => {
          await stageParentKeys(client, target.shape.keyType, parent.source.keyLog);
          return new RowSource(client, child.shape, this.rowSource(child.shape, {
            predicate: 'true', join: parentKeysJoin(child.spec.foreignKey), limit: Number.MAX_SAFE_INTEGER,
          }));
        },
      });
      if (written) children.push(written);
    }
    return { parent, children, started };
  }

  /**
   * Where a part starting after `after` ends: the key of the window's
   * ARCHIVAL_MAX_ROWS_PER_FILE-th eligible row after it, walking the key's
   * index between `after` and `ceiling` (the window's highest key when it
   * was planned), so the walk never leaves the window's key range;
   * undefined when fewer are left (that part takes the rest of the window).
   */
  async partEnd(window: MonthWindow, after: string | undefined, ceiling: string): Promise<string | undefined> {
    const { services, target } = this.options;
    const { shape } = target;
    const key = `t.${quoteIdent(shape.key)}`;
    const floor = after === undefined ? '' : ` AND ${keyBound(shape, '>', after)}`;
    const { rows } = await services.db.withClient((client) => client.query<{ k: string }>(
      `SELECT ${key}::text AS k FROM ${quoteTable(shape.table)} t
        WHERE ${eligiblePredicate(this.options.eligibility, window)}${floor} AND ${keyBound(shape, '<=', ceiling)}
        ORDER BY ${key} OFFSET ${services.options.maxRowsPerFile - 1} LIMIT 1`,
    ));
    return rows[0]?.k;
  }

  /** The window's eligible rows, up to key `until` when a part has an end. */
  private partPredicate(window: MonthWindow, until: string | undefined): string {
    const { target, eligibility } = this.options;
    const predicate = eligiblePredicate(eligibility, window);
    if (until === undefined) return predicate;
    return `${predicate} AND ${keyBound(target.shape, '<=', until)}`;
  }

  private rowSource(
    shape: TableShape, options: Pick<RowSourceOptions, 'predicate' | 'join' | 'limit' | 'startAfter'>, signal?: AbortSignal,
  ): RowSourceOptions {
    const { services, context, pacer } = this.options;
    return {
      ...options,
      batchSize: services.options.batchSize,
      dialect: services.codecs.forWriting().format.dialect,
      pacer,
      signal: signal ? AbortSignal.any([context.signal, signal]) : context.signal,
      onBatch: (rows, ms) =>
        this.logger.debug({ event: 'batch', job: context.job, runId: context.runId, table: shape.table.name, rows, ms }),
    };
  }

  /** select → encode → compress → hash → write → record ("written"), for one table. */
  private async writeArchive({ shape, name, window, parentId, open, numbered }: ArchiveRequest): Promise<RecordedArchive | undefined> {
    const { services, context } = this.options;
    const table = shape.table.name;
    const codec = services.codecs.forWriting();
    const identity = await this.identity({ shape, name, window, parentId }, codec);
    numbered?.();
    const path = identity.archivePath;
    let source: RowSource | undefined;
    let written: WrittenArchive | undefined;
    try {
      written = await services.db.withClient(async (client) => {
        source = await open(client);
        const lines = await source.open();
        const onMidWrite = () => reached(services, 'mid-multipart', context, table, path);
        return lines && writeArchive(services.storage, { key: path, lines, codec, columns: shape.columns, keyColumn: shape.key, onMidWrite });
      });
    } catch (error) {
      // A write that failed midway is on record (status failed, why); storage holds no object under its key.
      if (source && source.rows > 0) await this.recordFailedWrite(identity, source, error as Error);
      throw error;
    }
    if (!written || !source) return undefined;
    await reached(services, 'after-write', context, table, path);
    const record = await services.catalog.recordWritten({
      ...identity,
      rowCount: source.rows,
      uncompressedSize: written.contentBytes,
      compressedSize: written.storedBytes,
      sha256: written.storedSha256,
      contentSha256: written.contentSha256,
      keysSha256: source.keysSha256(),
      minPk: source.keyLog.firstKey ?? null,
      maxPk: source.keyLog.lastKey ?? null,
    });
    await reached(services, 'after-catalog-insert', context, table, path);
    await services.hooks.afterWrite?.(hookContext(services, context, table, path));
    return { shape, record, source, window, written };
  }

  /** The new archive's catalog fields known before its first byte: its part number (taken now, atomically), key and codec. */
  private async identity({ shape, name, window, parentId }: Omit<ArchiveRequest, 'open' | 'numbered'>, codec: ArchiveCodec): Promise<Omit<NewArchive, RecordedSizes>> {
    const { services, context } = this.options;
    const part = await services.catalog.allocatePart(shape.table.schema, shape.table.name, isoDate(window.start));
    const path = archiveKey({
      schema: shape.table.schema, name: assertIdentifier(name, 'archive name'), window, part, unique: uniqueOfRun(context.runId), extension: codec.extension,
    });
    return {
      job: context.job,
      schemaName: shape.table.schema,
      tableName: shape.table.name,
      partitionName: partitionName(name, window, part),
      part,
      startDate: isoDate(window.start),
      endDate: isoDate(lastDay(window)),
      archivePath: path,
      manifestPath: manifestKey(path),
      storage: services.storage.type,
      format: codec.format.name,
      compression: codec.compression.name,
      encrypted: codec.encrypted,
      runId: context.runId,
      parentId,
    };
  }

  private async recordFailedWrite(identity: Omit<NewArchive, RecordedSizes>, source: RowSource, error: Error): Promise<void> {
    const { services, context } = this.options;
    const message = `writing ${identity.archivePath} failed after ${source.rows} rows: ${error.message}; nothing was deleted`;
    await services.catalog.recordFailed({
      ...identity,
      rowCount: source.rows,
      uncompressedSize: 0,
      compressedSize: 0,
      sha256: null,
      contentSha256: null,
      keysSha256: null,
      minPk: source.keyLog.firstKey ?? null,
      maxPk: source.keyLog.lastKey ?? null,
    }, message);
    this.logger.error({ event: 'archive.write_failed', job: context.job, runId: context.runId, table: identity.tableName, archive: identity.archivePath, why: error.message });
  }
}
