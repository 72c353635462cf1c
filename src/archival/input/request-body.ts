/**
 * A REST request body as operator input: a JSON object, or none at all. An
 * array, a scalar or a body that is not JSON is refused with the value it
 * was, so a malformed request never starts work.
 */
import { InvalidInputError } from '../archival.errors';
import { shown } from './operator-input';

export function objectBody(body: unknown, contentType: string | undefined, contentLength: string | undefined): Record<string, unknown> {
  const sent = Number(contentLength ?? 0) > 0;
  if (sent && !/^application\/(.+\+)?json\b/i.test(contentType ?? '')) {
    throw new InvalidInputError(`the request body must be JSON (Content-Type application/json), got ${JSON.stringify(contentType ?? 'none')}`);
  }
  if (body === undefined || body === null || (!sent && typeof body === 'object' && Object.keys(body).length === 0)) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new InvalidInputError(`the request body must be a JSON object, got ${shown(body)}`);
  return body as Record<string, unknown>;
}
