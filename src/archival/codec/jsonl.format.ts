/**
 * The canonical JSON Lines encoding of a row, produced by PostgreSQL itself
 * (row_to_json) so that no value passes through a JavaScript number:
 * - jsonb is embedded verbatim (exact, readable); json, which keeps its text as
 *   written (newlines, edge whitespace, key order, duplicate keys), is its exact
 *   text as a JSON string, so a pretty-printed value cannot break the line;
 * - boolean, smallint, integer are JSON booleans/numbers;
 * - text, uuid, dates and timestamps (ISO 8601, microseconds, UTC offset) are strings;
 * - everything else (bigint, numeric, float, bytea as \x-hex, arrays, interval,
 *   enums, ranges, ...) is its exact PostgreSQL text form, as a string.
 * Restore feeds each line to json_populate_recordset, which parses every value
 * with the column type's own input function: an exact round-trip.
 */
import { CorruptArchiveError } from '../archival.errors';
import { KeyHash } from './key-hash';
import { quoteIdent, quoteLiteral } from '../sql/sql-identifier';

export interface ColumnInfo {
  name: string;
  /** pg_type.typname, e.g. "int8", "timestamptz", "_text" (arrays). */
  typname: string;
  /** format_type(), e.g. "timestamp with time zone", "numeric(12,4)", "text[]". */
  type: string;
  /** How the value is written: "json" verbatim, "native" JSON scalar, or "text" PostgreSQL text form. */
  encoding: 'json' | 'native' | 'text';
  /** GENERATED ALWAYS AS (...) STORED: archived, never written back (the database computes it). */
  generated: boolean;
  /** GENERATED ... AS IDENTITY: written back with OVERRIDING SYSTEM VALUE, so keys stay as they were. */
  identity: boolean;
}

const NATIVE_TYPES = new Set([
  'bool', 'int2', 'int4', 'text', 'varchar', 'bpchar', 'uuid', 'date', 'timestamp', 'timestamptz',
]);
/** Embedded verbatim: jsonb's output never holds a raw newline. json is text-encoded (see above). */
const JSON_TYPES = new Set(['jsonb']);

/** Chooses a column's encoding from pg_type's typname and typtype ('b' base, 'd' domain, ...). */
export function encodingFor(typname: string, typtype: string): ColumnInfo['encoding'] {
  if (typtype !== 'b') return 'text';
  if (JSON_TYPES.has(typname)) return 'json';
  return NATIVE_TYPES.has(typname) ? 'native' : 'text';
}

/**
 * The select list of the lateral subquery whose row_to_json is the line. The key
 * column comes first, so readers find it without parsing the whole line.
 */
export function jsonSelectList(columns: ColumnInfo[], key: string, alias: string): string {
  const ordered = [...columns.filter((c) => c.name === key), ...columns.filter((c) => c.name !== key)];
  return ordered
    .map((c) => {
      const ref = `${alias}.${quoteIdent(c.name)}`;
      return c.encoding === 'text' ? `${ref}::text AS ${quoteIdent(c.name)}` : `${ref} AS ${quoteIdent(c.name)}`;
    })
    .join(', ');
}

/**
 * The line expression over alias `r` (the lateral select list) and `t` (the
 * table). A json/jsonb value that is the JSON literal null would read back as
 * SQL NULL, so such rows (only those) carry `"$jsonNull": [columns]`.
 */
export function jsonLineExpression(columns: ColumnInfo[]): string {
  const jsonColumns = columns.filter((c) => c.encoding === 'json');
  if (jsonColumns.length === 0) return 'row_to_json(r)::text';
  const isJsonNull = (c: ColumnInfo) =>
    `(t.${quoteIdent(c.name)} IS NOT NULL AND ${c.type === 'jsonb' ? 'jsonb_typeof' : 'json_typeof'}(t.${quoteIdent(c.name)}) = 'null')`;
  const names = jsonColumns.map((c) => `CASE WHEN ${isJsonNull(c)} THEN ${quoteLiteral(c.name)} END`).join(', ');
  return `CASE WHEN ${jsonColumns.map(isJsonNull).join(' OR ')}
    THEN left(row_to_json(r)::text, -1) || ',"${JSON_NULL_MEMBER}":' || to_json(array_remove(ARRAY[${names}], NULL))::text || '}'
    ELSE row_to_json(r)::text END`;
}

export const JSON_NULL_MEMBER = '$jsonNull';

/**
 * Inserts canonical lines ($1: a JSON array of them) into `target`, letting
 * PostgreSQL parse every value with its type's input function. Generated
 * columns are left to the database; identity columns keep their archived value.
 */
export function jsonLinesInsertSql(target: string, columns: ColumnInfo[], onConflict = ''): string {
  const writable = columns.filter((c) => !c.generated);
  const values = writable.map((c) => lineValue(c, 'e.line', 'r'));
  return `INSERT INTO ${target} (${writable.map((c) => quoteIdent(c.name)).join(', ')}) OVERRIDING SYSTEM VALUE
    SELECT ${values.join(', ')} FROM json_array_elements($1::json) AS e(line), LATERAL json_populate_record(NULL::${target}, e.line) AS r
    ${onConflict}`;
}

/**
 * A column's value from canonical line `line` (json) and its
 * json_populate_record `record`: the record's value, except json (its exact
 * text, from its JSON string: the record would keep the string itself) and a
 * JSON null flagged by the `$jsonNull` member.
 */
export function lineValue(c: ColumnInfo, line: string, record: string): string {
  if (c.encoding === 'json') {
    return `CASE WHEN (${line} -> '${JSON_NULL_MEMBER}')::jsonb ? ${quoteLiteral(c.name)} THEN ${jsonNullOf(c)} ELSE ${record}.${quoteIdent(c.name)} END`;
  }
  if (c.typname === 'json') return `(${line} ->> ${quoteLiteral(c.name)})::json`;
  return `${record}.${quoteIdent(c.name)}`;
}

/** The JSON literal null of a json or jsonb column, from a fixed list: no type name is ever pasted into SQL. */
const JSON_NULLS: Record<string, string> = { json: `'null'::json`, jsonb: `'null'::jsonb` };

function jsonNullOf(column: ColumnInfo): string {
  const literal = JSON_NULLS[column.typname];
  if (!literal) throw new CorruptArchiveError(`column ${column.name} is encoded as JSON but its type is ${column.typname}, not json or jsonb`);
  return literal;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Reads the key value of a canonical line as text (what `key::text` gives in
 * PostgreSQL). Fast path: the key is the first member; any other shape falls
 * back to JSON.parse.
 */
export class KeyReader {
  private readonly prefix: Buffer;

  constructor(private readonly key: string) {
    this.prefix = Buffer.from(`{${JSON.stringify(key)}:`);
  }

  read(line: Buffer, start: number, end: number): string {
    const range = this.plainRange(line, start, end);
    if (range) return line.toString('utf8', range[0], range[1]);
    return this.parsed(line, start, end);
  }

  /** Adds the line's key to `hash`: straight from the line's bytes where the key needs no unescaping, no string made. */
  addTo(hash: KeyHash, line: Buffer, start: number, end: number): void {
    const range = this.plainRange(line, start, end);
    if (range) hash.addBytes(line, range[0], range[1]);
    else hash.add(this.parsed(line, start, end));
  }

  /** Where the key's text lies in the line, when it is there as it is: a JSON string without escapes, or a number. */
  private plainRange(line: Buffer, start: number, end: number): [number, number] | undefined {
    const p = start + this.prefix.length;
    if (end <= p || line.compare(this.prefix, 0, this.prefix.length, start, p) !== 0) return undefined;
    if (line[p] !== QUOTE) {
      let stop = p;
      while (stop < end && line[stop] !== 0x2c && line[stop] !== 0x7d) stop++;
      return [p, stop];
    }
    // The scan stays within the value: an escaped quote does not end it.
    for (let i = p + 1; i < end; i++) {
      if (line[i] === BACKSLASH) return undefined;
      if (line[i] === QUOTE) return [p + 1, i];
    }
    return undefined;
  }

  private parsed(line: Buffer, start: number, end: number): string {
    const p = start + this.prefix.length;
    if (end > p && line.compare(this.prefix, 0, this.prefix.length, start, p) === 0 && line[p] === QUOTE) {
      // The key's JSON string alone, with its escapes.
      for (let i = p + 1; i < end; i++) {
        if (line[i] === BACKSLASH) i++;
        else if (line[i] === QUOTE) return JSON.parse(line.toString('utf8', p, i + 1)) as string;
      }
    }
    const value = (JSON.parse(line.toString('utf8', start, end)) as Record<string, unknown>)[this.key];
    if (value === undefined || value === null) throw new CorruptArchiveError(`line has no value for key column "${this.key}"`);
    return typeof value === 'string' ? value : String(value);
  }
}
