import { athenaSql, duckDbSql, LakeTable } from './lake-sql';

const table = (overrides: Partial<LakeTable> = {}): LakeTable => ({
  name: 'odd"name',
  columns: [
    { name: 'id', typname: 'int8', type: 'bigint', encoding: 'text' },
    { name: "it's `x`", typname: 'numeric', type: 'numeric(12,4)', encoding: 'text' },
    { name: 'raw', typname: 'json', type: 'json', encoding: 'text' },
    { name: 'n', typname: 'numeric', type: 'numeric', encoding: 'text' },
  ],
  files: [{ url: "/a/public.t/year=2025/month=03/t_it's.jsonl.gz", format: 'json', encrypted: false }],
  folder: 's3://b/p/public.t/',
  years: [2024, 2025],
  ...overrides,
});

describe('lake SQL', () => {
  it('quotes names and paths, and maps types from fixed tables only', () => {
    const sql = duckDbSql(table());
    expect(sql).toContain('CREATE OR REPLACE VIEW "odd""name" AS');
    expect(sql).toContain("['/a/public.t/year=2025/month=03/t_it''s.jsonl.gz']");
    expect(sql).toContain(`'it''s \`x\`': 'DECIMAL(12, 4)'`);
    expect(sql).toContain(`CAST("raw" AS JSON) AS "raw"`);
    expect(sql).toContain(`'n': 'VARCHAR'`);
    expect(sql).toContain("hive_partitioning = true, hive_types = {'year': INTEGER, 'month': INTEGER}");
    const athena = athenaSql(table(), 'parquet');
    expect(athena).toContain('CREATE EXTERNAL TABLE IF NOT EXISTS `odd"name` (');
    expect(athena).toContain("`it's ``x``` decimal(12,4)");
    expect(athena).toContain("'projection.year.range' = '2024,2025'");
    expect(athena).toContain("'storage.location.template' = 's3://b/p/public.t/year=${year}/month=${month}/'");
  });

  it('leaves encrypted archives out, saying so, and reads flat (pre-Hive) paths without partitions', () => {
    const sql = duckDbSql(table({
      files: [
        { url: '/a/t/t_2020-01-01_to_2020-01-31_part-0001.parquet', format: 'parquet', encrypted: false },
        { url: '/a/public.t/year=2025/month=03/x.parquet.enc', format: 'parquet', encrypted: true },
      ],
    }));
    expect(sql).toContain('-- 1 encrypted archive(s) left out');
    expect(sql).toContain("read_parquet(['/a/t/t_2020-01-01_to_2020-01-31_part-0001.parquet'], hive_partitioning = false, union_by_name = true)");
    expect(sql).not.toContain('.enc');
  });
});
