/** Parsing of admin request input: every bad value is a 400 that names it. */
import { BadRequestException } from '@nestjs/common';
import { dayOf } from '../input/calendar-date';

/** A date or ISO-8601 timestamp, as its UTC day (YYYY-MM-DD). */
export function optionalDate(name: string, value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  const day = typeof value === 'string' ? dayOf(value) : undefined;
  if (day === undefined) {
    throw new BadRequestException(`${name}=${JSON.stringify(value)} is not a date; expected YYYY-MM-DD or an ISO-8601 timestamp`);
  }
  return day;
}

/** `from` and `to`, refusing a range that ends before it starts. */
export function dateRange(query: Record<string, unknown>): { from?: string; to?: string } {
  const from = optionalDate('from', query.from);
  const to = optionalDate('to', query.to);
  if (from && to && from > to) throw new BadRequestException(`from=${from} is after to=${to}`);
  return { from, to };
}

/**
 * A request body that is a JSON object, or none at all: an array, a scalar or
 * a body that is not JSON is refused, so a malformed request never starts work.
 */
export function objectBody(body: unknown, contentType: string | undefined, contentLength: string | undefined): Record<string, unknown> {
  const sent = Number(contentLength ?? 0) > 0;
  if (sent && !/^application\/(.+\+)?json\b/i.test(contentType ?? '')) {
    throw new BadRequestException(`the request body must be JSON (Content-Type application/json), got ${JSON.stringify(contentType ?? 'none')}`);
  }
  if (body === undefined || body === null || (!sent && typeof body === 'object' && Object.keys(body).length === 0)) return {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new BadRequestException(`the request body must be a JSON object, got ${JSON.stringify(body).slice(0, 100)}`);
  }
  return body as Record<string, unknown>;
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
