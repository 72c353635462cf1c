/**
 * The CLI's option values, checked while the command line is parsed, before
 * any database is opened, by the same input module the REST API uses
 * (archival/input/): each parser names its flag and returns the value as the
 * command uses it, or throws InvalidInputError (exit 2) naming the value.
 */
import * as input from '../archival/input/operator-input';

const flag = (name: string) => `--${name}`;

/** Any text, but not the next flag: `--table --from 2025-01-01` forgot the table. */
export const text = (name: string) => (value: string): string => input.text(flag(name), value);

/** A date YYYY-MM-DD or an ISO-8601 timestamp, as its UTC day. */
export const day = (name: string) => (value: string): string => input.day(flag(name), value);

export const oneOf = <T extends string>(name: string, accepted: readonly T[]) => (value: string): T => input.oneOf(flag(name), value, accepted);

export const wholeNumberFrom1 = (name: string) => (value: string): number => input.wholeNumber(flag(name), value, 1);

export const archiveId = (value: string): number => input.archiveId('--archive', value);

/** `--from` and `--to` together: a range that ends before it starts is refused. */
export function assertDateRange(range: input.DateRange): void {
  input.assertDateRange(range, ['--from', '--to']);
}
