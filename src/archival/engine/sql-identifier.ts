/**
 * SQL identifiers come from configuration, never from requests, but they are
 * still validated and always double-quoted: a name that is not a plain
 * PostgreSQL identifier is a configuration error, not an injection.
 */
import { ConfigurationError } from '../archival.errors';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;

export function assertIdentifier(name: string, what: string): string {
  if (typeof name !== 'string' || !IDENTIFIER.test(name)) {
    throw new ConfigurationError([
      `${what} ${JSON.stringify(name)} is not a valid SQL identifier (letters, digits, _ and $; at most 63 characters; not starting with a digit)`,
    ]);
  }
  return name;
}

export function quoteIdent(name: string): string {
  return `"${assertIdentifier(name, 'identifier')}"`;
}

export interface QualifiedName {
  schema: string;
  name: string;
}

/** Parses `table` or `schema.table`; schema defaults to public. */
export function parseTableName(value: string, what = 'table'): QualifiedName {
  const parts = String(value).split('.');
  if (parts.length > 2) throw new ConfigurationError([`${what} ${JSON.stringify(value)} has more than one dot`]);
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
