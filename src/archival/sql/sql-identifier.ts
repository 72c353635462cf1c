/**
 * SQL identifiers come from configuration and from the catalog, never from
 * requests. Every identifier is double-quoted (a quote inside doubled), so any
 * name PostgreSQL allows works — spaces, quotes, dashes, dots, unicode, upper
 * case — and none can break out of its quotes. Configured table names are
 * plain identifiers as written (`audit.events`, case kept) or double-quoted
 * ones (`audit."Odd Name"`); anything else is a configuration error.
 */
import { ConfigurationError } from '../archival.errors';

/** PostgreSQL's limit: NAMEDATALEN - 1 bytes. */
const MAX_IDENTIFIER_BYTES = 63;

/** Any name PostgreSQL can hold: 1 to 63 bytes of UTF-8, no NUL. */
export function assertIdentifier(name: string, what: string): string {
  if (typeof name !== 'string' || name === '' || name.includes('\0') || Buffer.byteLength(name) > MAX_IDENTIFIER_BYTES) {
    throw new ConfigurationError([`${what} ${JSON.stringify(name)} is not a valid SQL identifier (1 to ${MAX_IDENTIFIER_BYTES} bytes, no NUL)`]);
  }
  return name;
}

export function quoteIdent(name: string): string {
  return `"${assertIdentifier(name, 'identifier').replace(/"/g, '""')}"`;
}

export interface QualifiedName {
  schema: string;
  name: string;
}

const NAME_PART = /^(?:([A-Za-z_][A-Za-z0-9_$]*)|"((?:[^"]|"")+)")/;

/** Parses `table`, `schema.table`, `"Odd Name"` or `schema."Odd.Name"`; schema defaults to public. */
export function parseTableName(value: string, what = 'table'): QualifiedName {
  const text = String(value);
  const parts: string[] = [];
  let rest = text;
  for (;;) {
    const match = NAME_PART.exec(rest);
    if (!match) break;
    parts.push(match[1] ?? match[2].replace(/""/g, '"'));
    rest = rest.slice(match[0].length);
    if (!rest.startsWith('.')) break;
    rest = rest.slice(1);
  }
  if (rest !== '' || parts.length === 0 || parts.length > 2) {
    throw new ConfigurationError([
      `${what} ${JSON.stringify(text)} is not a table name: give table or schema.table, each a plain identifier (letters, digits, _ and $, not starting with a digit) or double-quoted, e.g. audit."Odd Name"`,
    ]);
  }
  const [schema, name] = parts.length === 2 ? parts : ['public', parts[0]];
  return { schema: assertIdentifier(schema, `${what} schema`), name: assertIdentifier(name, what) };
}

export function quoteTable(table: QualifiedName): string {
  return `${quoteIdent(table.schema)}.${quoteIdent(table.name)}`;
}

/** Escapes a string as a SQL literal, for the few statements (COPY) that take no parameters. */
export function quoteLiteral(value: string): string {
  if (value.includes('\0')) throw new ConfigurationError([`a SQL literal may not contain a NUL byte`]);
  const escaped = value.replace(/'/g, "''");
  return value.includes('\\') ? `E'${escaped.replace(/\\/g, '\\\\')}'` : `'${escaped}'`;
}
