/**
 * The CLI's option values, checked while the command line is parsed, before
 * any database is opened: each parser returns the value as the command uses
 * it, or throws InvalidInputError (exit 2) naming the flag and the value.
 */
import { InvalidInputError } from '../archival/archival.errors';
import { dayOf } from '../archival/input/calendar-date';

/** Any text, but not the next flag: `--table --from 2025-01-01` forgot the table. */
export function text(flag: string) {
  return (value: string): string => {
    if (value.startsWith('--')) throw new InvalidInputError(`--${flag} needs a value (got the flag ${value})`);
    return value;
  };
}

/** A date YYYY-MM-DD or an ISO-8601 timestamp, as its UTC day. */
export function day(flag: string) {
  return (value: string): string => {
    const parsed = dayOf(value);
    if (parsed === undefined) throw new InvalidInputError(`--${flag} ${value}: expected a date YYYY-MM-DD or an ISO-8601 timestamp`);
    return parsed;
  };
}

export function oneOf<T extends string>(flag: string, accepted: readonly T[]) {
  return (value: string): T => {
    if (!(accepted as readonly string[]).includes(value)) throw new InvalidInputError(`--${flag} ${value}: expected one of ${accepted.join(', ')}`);
    return value as T;
  };
}

export function wholeNumberFrom1(flag: string) {
  return (value: string): number => {
    const number = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(number) || number < 1) {
      throw new InvalidInputError(`--${flag} ${value}: expected a whole number from 1`);
    }
    return number;
  };
}

export function archiveId(value: string): number {
  if (!/^\d{1,18}$/.test(value)) throw new InvalidInputError(`--archive ${value}: expected an archive id`);
  return Number(value);
}

/** `--from` and `--to` together: a range that ends before it starts is refused. */
export function assertDateRange({ from, to }: { from?: string; to?: string }): void {
  if (from && to && from > to) throw new InvalidInputError(`--from ${from} is after --to ${to}`);
}
