/**
 * Dates as operators type them, checked the same way for REST and CLI: a
 * calendar date (YYYY-MM-DD) or an ISO-8601 timestamp, taken as its UTC day.
 */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)$/;

export function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/** The UTC day (YYYY-MM-DD) of a date or ISO-8601 timestamp; undefined if it is neither. */
export function dayOf(value: string): string | undefined {
  if (isCalendarDate(value)) return value;
  if (!TIMESTAMP.test(value) || !isCalendarDate(value.slice(0, 10))) return undefined;
  const instant = new Date(value.replace(' ', 'T'));
  return Number.isNaN(instant.getTime()) ? undefined : instant.toISOString().slice(0, 10);
}
