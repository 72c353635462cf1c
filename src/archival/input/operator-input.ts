/**
 * Operator input, checked once for REST and CLI alike: each parser returns
 * the value as the module uses it, or throws InvalidInputError naming the
 * field and the value. `label` is the field as the operator typed it: `from`
 * in a query or body, `--from` on the command line. Nothing here opens a
 * database, so a bad value is refused before any work starts.
 */
import { InvalidInputError, UnknownJobError } from '../archival.errors';
import { dayOf } from './calendar-date';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A value as the message shows it: plain when it is a plain word, JSON otherwise (so `""`, `[1,2]` and spaces show). */
export function shown(value: unknown): string {
  if (typeof value === 'string' && /^[^\s"]+$/.test(value)) return value;
  return JSON.stringify(value)?.slice(0, 100) ?? String(value);
}

function refuse(label: string, value: unknown, expected: string): never {
  throw new InvalidInputError(`${label} ${shown(value)}: expected ${expected}`);
}

const absent = (value: unknown) => value === undefined || value === '';

/** A date YYYY-MM-DD or an ISO-8601 timestamp, as its UTC day. */
export function day(label: string, value: unknown): string {
  const parsed = typeof value === 'string' ? dayOf(value) : undefined;
  return parsed ?? refuse(label, value, 'a date YYYY-MM-DD or an ISO-8601 timestamp');
}

export function optionalDay(label: string, value: unknown): string | undefined {
  return absent(value) ? undefined : day(label, value);
}

export interface DateRange {
  from?: string;
  to?: string;
}

/** A range that ends before it starts is refused; `labels` name the two fields as the operator gave them. */
export function assertDateRange({ from, to }: DateRange, labels: [string, string] = ['from', 'to']): DateRange {
  if (from && to && from > to) throw new InvalidInputError(`${labels[0]} ${from} is after ${labels[1]} ${to}`);
  return { from, to };
}

/** A whole number from `min` to `max`: a string of digits (a query, a flag) or a JSON number (a body). */
export function wholeNumber(label: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(number) || number < min || number > max) {
    refuse(label, value, max === Number.MAX_SAFE_INTEGER ? `a whole number from ${min}` : `a whole number from ${min} to ${max}`);
  }
  return number;
}

export function optionalWholeNumber(label: string, value: unknown, min: number, max?: number): number | undefined {
  return absent(value) ? undefined : wholeNumber(label, value, min, max);
}

export function oneOf<T extends string>(label: string, value: unknown, accepted: readonly T[]): T {
  if (typeof value !== 'string' || !(accepted as readonly string[]).includes(value)) refuse(label, value, `one of ${accepted.join(', ')}`);
  return value as T;
}

export function optionalOneOf<T extends string>(label: string, value: unknown, accepted: readonly T[]): T | undefined {
  return absent(value) ? undefined : oneOf(label, value, accepted);
}

/** A JSON boolean (REST bodies); a flag on the command line is its own boolean. */
export function optionalBoolean(label: string, value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'boolean' ? value : refuse(label, value, 'true or false');
}

/** An archive id as the catalog numbers them: a whole number from 1 (a string of digits or a JSON number). */
export function archiveId(label: string, value: unknown): number {
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^\d{1,18}$/.test(value) ? Number(value) : NaN;
  return Number.isSafeInteger(number) && number >= 1 ? number : refuse(label, value, 'an archive id (a whole number from 1)');
}

/** An archive id in a JSON body: a JSON number, as the catalog lists it (the string "1" is refused: bodies are typed). */
export function archiveIdNumber(label: string, value: unknown): number {
  if (typeof value === 'number') return archiveId(label, value);
  throw new InvalidInputError(`${label} ${JSON.stringify(value)}: expected an archive id (a JSON number from 1)`);
}

export function runId(label: string, value: unknown): string {
  return typeof value === 'string' && UUID.test(value) ? value : refuse(label, value, 'a run id (a uuid)');
}

/** Text that is present: not empty (and, for a flag, not the next flag: `--table --from 2025-01-01` forgot the table). */
export function text(label: string, value: unknown): string {
  if (value === undefined) throw new InvalidInputError(`${label} is required`);
  if (typeof value !== 'string' || value === '') refuse(label, value, 'a value');
  if (label.startsWith('--') && value.startsWith('--')) throw new InvalidInputError(`${label} needs a value (got the flag ${value})`);
  return value;
}

export function optionalText(label: string, value: unknown): string | undefined {
  return value === undefined ? undefined : text(label, value);
}

/** A job the module has (or `restore`, where runs are listed); an unknown one is not found, naming the known ones. */
export function knownJob(job: string, known: readonly string[]): string {
  if (!known.includes(job)) throw new UnknownJobError(job, [...known]);
  return job;
}
