/**
 * Export renders every PostgreSQL type one way, whatever the archive's
 * format: the tricky rows exported from a JSON Lines archive, from a Parquet
 * archive and from the hot table are the same text.
 */
import { ArchiveFormatName } from '../src/archival/archival-options';
import { ExportService } from '../src/archival/readback/export.service';
import { createArchivalApp, FIXED_NOW } from './harness/archival-app';
import { createTestDatabase, TestDatabase } from './harness/database';
import { insertTrickyRows, TRICKY_ROWS } from './harness/tricky-rows';

/** The `row` member of each exported line, as text, with where it came from. */
function rowsOf(lines: string[]): { source: string; row: string }[] {
  return lines.map((line) => {
    const { source } = JSON.parse(line) as { source: string };
    return { source, row: line.slice(line.indexOf('"row":') + '"row":'.length, -1) };
  });
}

describe('export: one canonical JSON rendering per type, whatever the format', () => {
  let db: TestDatabase;
  let ids: string[];

  beforeAll(async () => {
    db = await createTestDatabase();
    await insertTrickyRows(db.sql, new Date(FIXED_NOW.getTime() - 200 * 86_400_000));
    await db.sql.query(`CREATE TABLE original AS SELECT * FROM flow_execution_logs`);
    ids = (await db.sql.query(`SELECT id::text FROM flow_execution_logs ORDER BY id`)).rows.map((r) => r.id);
    expect(ids).toHaveLength(TRICKY_ROWS.length);
  });
  afterAll(async () => {
    await db?.drop();
  });

  async function exportAll(format: ArchiveFormatName, compression: 'gzip' | 'zstd'): Promise<{ hot: string[]; archived: string[] }> {
    await db.sql.query(`TRUNCATE flow_execution_logs; INSERT INTO flow_execution_logs SELECT * FROM original; TRUNCATE archived_partitions CASCADE`);
    const app = await createArchivalApp(db.url, { module: { format, compression } });
    try {
      const exporter = app.context.get(ExportService);
      const hot = [];
      for (const id of ids) hot.push(...rowsOf(await exporter.export('log-archival', id)));
      expect((await app.archival.run('log-archival')).status).toBe('succeeded');
      const archived = [];
      for (const id of ids) archived.push(...rowsOf(await exporter.export('log-archival', id)));
      expect(hot.map((r) => r.source)).toEqual(ids.map(() => 'hot'));
      expect(archived.map((r) => r.source)).toEqual(ids.map(() => 'archive'));
      return { hot: hot.map((r) => r.row), archived: archived.map((r) => r.row) };
    } finally {
      await app.close();
    }
  }

  it('gives the same text from a JSON Lines archive, a Parquet archive and the hot table', async () => {
    const json = await exportAll('json', 'gzip');
    const parquet = await exportAll('parquet', 'zstd');
    expect(parquet.archived).toEqual(json.archived);
    expect(json.archived).toEqual(json.hot);
    expect(parquet.hot).toEqual(json.hot);
    // The rendering docs/querying.md documents: timestamptz ISO 8601 with microseconds and +00:00, jsonb normalised.
    const first = JSON.parse(parquet.archived[0]);
    expect(first.seen_at).toBe('2024-02-29T23:59:59.999999+00:00');
    expect(first.doc).toEqual({ big: 123456789012345678901234567890.123456789, s: 'line\nbreak' });
    expect(parquet.archived[0]).toContain('"doc":{"s": "line\\nbreak", "big": 123456789012345678901234567890.123456789}');
    expect(first.raw).toBe('{"b":1,  "a":[1,2.50,{"x":null}], "a":2}');
  });
});
