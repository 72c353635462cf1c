import { Client } from 'pg';

/**
 * Columns the module never heard of, added by ALTER TABLE, holding the values
 * that break naive JSON archivers: precision, microseconds, bytes, JSON text,
 * arrays with bounds, intervals, enums, NULLs, unicode and newlines.
 */
export const EXTRA_COLUMNS = `
  ADD COLUMN amount numeric(40,12), ADD COLUMN ratio float8, ADD COLUMN small real, ADD COLUMN big bigint,
  ADD COLUMN seen_at timestamptz, ADD COLUMN local_at timestamp, ADD COLUMN day date, ADD COLUMN span interval,
  ADD COLUMN blob bytea, ADD COLUMN raw json, ADD COLUMN doc jsonb, ADD COLUMN ints integer[], ADD COLUMN tags text[],
  ADD COLUMN flag boolean, ADD COLUMN ref uuid, ADD COLUMN feeling mood, ADD COLUMN price_range numrange,
  ADD COLUMN addr inet, ADD COLUMN spot point, ADD COLUMN note varchar(60), ADD COLUMN code char(5)`;

export const TRICKY_ROWS = [
  `('12345678901234567890.123456789012', 0.1, 3.4028235e38, 9223372036854775807,
    '2024-02-29 23:59:59.999999+00', '1999-12-31 23:59:59.123456', '2000-02-29', '1 year 2 mons 3 days 04:05:06.789012',
    '\\x00ff10', '{"b":1,  "a":[1,2.50,{"x":null}], "a":2}', '{"big": 123456789012345678901234567890.123456789, "s": "line\\nbreak"}',
    '{1,NULL,3}', '{"a,b","c\\"d",NULL,"NULL",""}', true, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'sad', '[1.5,2.5)',
    '192.168.0.1/24', '(1.5,-2)', E'multi\\nline\\t“ünïcødé” 😀 \\\\ "q"', 'ab')`,
  `('-0.000000000001', 'NaN', '-Infinity', -9223372036854775808,
    'infinity', '-infinity', 'infinity', '-1 days +02:00:00.000001',
    '\\x', '[]', '{}', '[0:1]={5,6}', '{{x,y},{z,w}}', false, NULL, 'ok', 'empty',
    '::1', '(0,0)', '', '     ')`,
  `(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'null', NULL, '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
  `('0', '-0', '-0', 0, '0044-03-15 12:00:00.5+00 BC', '1969-12-31 23:59:59.999999', '0001-01-01 BC', '0',
    '\\xdeadbeef', 'null', '[1, "x", null]', '{}', '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
  `(NULL, '1e-7', '1.1', -1, '12345-06-07 08:09:10.000001+00', '0001-01-01 00:00:00', '12345-01-01', NULL,
    NULL, '"str"', '"str"', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
];

/** Adds the extra columns to flow_execution_logs and inserts TRICKY_ROWS created at `createdAt`. */
export async function insertTrickyRows(sql: Client, createdAt: Date, table = 'flow_execution_logs'): Promise<void> {
  await sql.query(`DO $$ BEGIN CREATE TYPE mood AS ENUM ('ok', 'sad'); EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
  await sql.query(`ALTER TABLE ${table} ${EXTRA_COLUMNS}`);
  for (const values of TRICKY_ROWS) {
    await sql.query(
      `INSERT INTO ${table} (amount, ratio, small, big, seen_at, local_at, day, span, blob, raw, doc, ints, tags,
         flag, ref, feeling, price_range, addr, spot, note, code, created_at)
       VALUES ${values.trim().slice(0, -1)}, $1::timestamptz + interval '0.000123 seconds')`,
      [createdAt.toISOString()],
    );
  }
}
