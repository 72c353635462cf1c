/**
 * ARCHIVAL_DATABASE_URL: the module's own connection to the host's database,
 * for hosts whose DataSource goes through a transaction-mode pooler. It
 * usually holds a password, so a problem names the variable but never shows
 * the value, not even in part.
 */
const PROTOCOLS = ['postgres:', 'postgresql:'];
const EXAMPLE = 'expected postgres://user:password@host:5432/database';
const NOT_SHOWN = '(the value is not shown: it may hold a password)';

export function resolveDatabaseUrl(value: unknown, name: string, problems: string[]): string | undefined {
  if (value === undefined || value === '') return undefined;
  const problem = typeof value === 'string' ? databaseUrlProblem(value.trim()) : 'not a string';
  if (problem) problems.push(`${name}: ${problem}; ${EXAMPLE} ${NOT_SHOWN}`);
  return typeof value === 'string' ? value.trim() : undefined;
}

/** What pg would connect to: a postgres:// URL with a host (or ?host=, e.g. a socket directory) and a database. */
function databaseUrlProblem(value: string): string | undefined {
  const parsed = parseUrl(value);
  if (!parsed) return 'not a URL';
  const { url, host } = parsed;
  if (!PROTOCOLS.includes(url.protocol)) return 'not a PostgreSQL URL (it must start with postgres:// or postgresql://)';
  if (host === '' && !url.searchParams.get('host')) return 'names no host';
  if (url.pathname.replace(/^\//, '') === '') return 'names no database (pg would pick the one named after the user)';
  return undefined;
}

/** As pg-connection-string reads it: `postgres://user@/db?host=/run/postgresql` has an empty host, which URL refuses. */
function parseUrl(value: string): { url: URL; host: string } | undefined {
  try {
    const url = new URL(value);
    return { url, host: url.hostname };
  } catch {
    try {
      return { url: new URL(value.replace('@/', '@empty-host/')), host: '' };
    } catch {
      return undefined;
    }
  }
}
