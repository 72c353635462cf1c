/**
 * The instant the tests run at. Fixed, so that no test depends on today's
 * date: the module's clock reads it (ARCHIVAL_CLOCK in-process; the
 * ARCHIVAL_TEST_NOW variable in the CLI processes tests spawn, see
 * src/archival/archival-clock.ts), and every test places its rows relative
 * to it, never to the database's now(). Set ARCHIVAL_TEST_NOW to move it,
 * e.g. to the last hour of a month or to 29 February; CI runs the suite at
 * one such instant per Node version.
 */
export const DEFAULT_TEST_NOW = '2026-06-15T12:00:00.000Z';

export function testNow(env: NodeJS.ProcessEnv = process.env): Date {
  const text = env.ARCHIVAL_TEST_NOW || DEFAULT_TEST_NOW;
  const instant = new Date(text);
  if (Number.isNaN(instant.getTime())) throw new Error(`ARCHIVAL_TEST_NOW="${text}" is not an ISO-8601 instant`);
  return instant;
}

export const FIXED_NOW = testNow();

export const DAY_MS = 86_400_000;

/** The instant `days` days before the test clock. */
export function daysAgo(days: number, now: Date = FIXED_NOW): Date {
  return new Date(now.getTime() - days * DAY_MS);
}

/** The first instant (UTC) of the month `offset` months from `now`'s; safe at a month's end and on 29 February. */
export function monthStart(now: Date, offset: number): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1));
}

/** The test clock as an SQL literal: what a test writes where it would write now(). */
export const NOW_SQL = `'${FIXED_NOW.toISOString()}'::timestamptz`;
