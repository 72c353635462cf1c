/** Parsing of admin request input: every bad value is a 400 that names it. */
import { BadRequestException } from '@nestjs/common';
import { isCalendarDate } from '../input/calendar-date';

export function optionalDate(name: string, value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !isCalendarDate(value)) {
    throw new BadRequestException(`${name}=${JSON.stringify(value)} is not a date; expected YYYY-MM-DD`);
  }
  return value;
}

export function optionalInt(name: string, value: unknown, min: number, max: number): number | undefined {
  if (value === undefined || value === '') return undefined;
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(number) || number < min || number > max) {
    throw new BadRequestException(`${name}=${JSON.stringify(value)} is not a whole number from ${min} to ${max}`);
  }
  return number;
}

/** `limit` and `offset` of a listing; `limit` at most `maxLimit`. */
export function paging(query: Record<string, unknown>, maxLimit: number) {
  return {
    limit: optionalInt('limit', query.limit, 1, maxLimit),
    offset: optionalInt('offset', query.offset, 0, Number.MAX_SAFE_INTEGER),
  };
}

export function optionalOneOf<T extends string>(name: string, value: unknown, accepted: readonly T[]): T | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !(accepted as readonly string[]).includes(value)) {
    throw new BadRequestException(`${name}=${JSON.stringify(value)} is not one of ${accepted.join(', ')}`);
  }
  return value as T;
}

export function optionalBoolean(name: string, value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw new BadRequestException(`${name} must be true or false, got ${JSON.stringify(value)}`);
  return value;
}
