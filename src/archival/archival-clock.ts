/**
 * The clock runs read their `now` from (ARCHIVAL_CLOCK). In production the
 * system clock. When NODE_ENV=test, ARCHIVAL_TEST_NOW fixes it, so that the
 * CLI processes a test suite spawns see the suite's instant, not today's date.
 */
import { ArchivalClock } from './archival.constants';
import { ConfigurationError } from './archival.errors';

export function archivalClock(env: NodeJS.ProcessEnv): ArchivalClock {
  const fixed = env.NODE_ENV === 'test' ? env.ARCHIVAL_TEST_NOW : undefined;
  if (!fixed) return () => new Date();
  const instant = new Date(fixed);
  if (Number.isNaN(instant.getTime())) throw new ConfigurationError([`ARCHIVAL_TEST_NOW=${JSON.stringify(fixed)}: expected an ISO-8601 instant`]);
  return () => new Date(instant.getTime());
}
