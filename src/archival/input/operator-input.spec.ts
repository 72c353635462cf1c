import { InvalidInputError, UnknownJobError } from '../archival.errors';
import {
  archiveId, archiveIdNumber, assertDateRange, day, knownJob, oneOf, optionalBoolean, optionalDay, runId, text, wholeNumber,
} from './operator-input';
import { objectBody } from './request-body';

/** The checks REST and CLI share: each bad value is an InvalidInputError naming the field and the value. */
describe('operator input', () => {
  it.each<[string, () => unknown, string]>([
    ['a month 13', () => day('from', '2025-13-01'), 'from 2025-13-01: expected a date YYYY-MM-DD or an ISO-8601 timestamp'],
    ['a flag date', () => day('--to', 'yesterday'), '--to yesterday: expected a date YYYY-MM-DD or an ISO-8601 timestamp'],
    ['a non-string date', () => day('from', 20250101), 'from 20250101: expected a date'],
    ['from after to', () => assertDateRange({ from: '2025-03-01', to: '2025-01-01' }), 'from 2025-03-01 is after to 2025-01-01'],
    ['flags from after to', () => assertDateRange({ from: '2025-03-01', to: '2025-01-01' }, ['--from', '--to']), '--from 2025-03-01 is after --to 2025-01-01'],
    ['a limit of 0', () => wholeNumber('--limit', '0', 1), '--limit 0: expected a whole number from 1'],
    ['a limit too large', () => wholeNumber('limit', '5000', 1, 1000), 'limit 5000: expected a whole number from 1 to 1000'],
    ['a fraction', () => wholeNumber('limit', '1.5', 1), 'limit 1.5: expected a whole number'],
    ['an unknown status', () => oneOf('status', 'done', ['running', 'failed']), 'status done: expected one of running, failed'],
    ['a string boolean', () => optionalBoolean('dryRun', 'yes'), 'dryRun yes: expected true or false'],
    ['a word as archive id', () => archiveId('archive id', 'abc'), 'archive id abc: expected an archive id'],
    ['archive id 0', () => archiveId('archiveId', 0), 'archiveId 0: expected an archive id'],
    ['a string archive id in a body', () => archiveIdNumber('archiveId', '1'), 'archiveId "1": expected an archive id (a JSON number from 1)'],
    ['a fractional archive id', () => archiveId('archiveId', 1.5), 'archiveId 1.5: expected an archive id'],
    ['a run id that is no uuid', () => runId('run id', 'not-a-uuid'), 'run id not-a-uuid: expected a run id (a uuid)'],
    ['an empty table', () => text('table', ''), 'table "": expected a value'],
    ['a missing id', () => text('id', undefined), 'id is required'],
    ['a flag where a value belongs', () => text('--table', '--from'), '--table needs a value (got the flag --from)'],
    ['an array body', () => objectBody([1, 2], 'application/json', '5'), 'the request body must be a JSON object, got [1,2]'],
    ['a text/plain body', () => objectBody('dryRun=true', 'text/plain', '11'), 'the request body must be JSON (Content-Type application/json), got "text/plain"'],
    ['a JSON string body', () => objectBody('x', 'application/json', '3'), 'the request body must be a JSON object, got x'],
  ])('refuses %s, naming it', (_name, parse, message) => {
    expect(parse).toThrow(InvalidInputError);
    expect(parse).toThrow(message);
  });

  it('takes dates and ISO-8601 timestamps alike, as their UTC day', () => {
    expect(day('from', '2025-01-31')).toBe('2025-01-31');
    expect(day('--from', '2000-01-01T00:30:00+02:00')).toBe('1999-12-31');
    expect(optionalDay('to', '')).toBeUndefined();
    expect(assertDateRange({ from: '2025-01-01', to: '2025-01-01' })).toEqual({ from: '2025-01-01', to: '2025-01-01' });
  });

  it('takes numbers as digits or JSON numbers, and no body as an empty object', () => {
    expect(wholeNumber('limit', '25', 1, 1000)).toBe(25);
    expect(archiveId('archiveId', 7)).toBe(7);
    expect(archiveId('--archive', '7')).toBe(7);
    expect(objectBody(undefined, undefined, undefined)).toEqual({});
    expect(objectBody({ dryRun: true }, 'application/json; charset=utf-8', '15')).toEqual({ dryRun: true });
  });

  it('an unknown job is not found, naming the known ones', () => {
    expect(() => knownJob('nope', ['log-archival', 'restore'])).toThrow(UnknownJobError);
    expect(() => knownJob('nope', ['log-archival', 'restore'])).toThrow('Unknown archival job "nope". Known jobs: log-archival, restore');
    expect(knownJob('restore', ['log-archival', 'restore'])).toBe('restore');
  });
});
