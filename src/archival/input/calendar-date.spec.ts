import { dayOf, isCalendarDate } from './calendar-date';

describe('dates from operators', () => {
  it.each([
    ['2025-01-31', '2025-01-31'],
    ['2028-02-29', '2028-02-29'],
    ['2000-01-01T00:00:00Z', '2000-01-01'],
    ['2000-01-01T00:30:00+02:00', '1999-12-31'],
    ['2025-06-30 23:59:59.123456Z', '2025-06-30'],
  ])('%s is the day %s', (value, day) => {
    expect(dayOf(value)).toBe(day);
  });

  it.each(['2025-13-01', '2027-02-29', '2025-1-1', '2025-01-01T25:00:00Z', 'yesterday', '', '2025-01-01T00:00:00'])('%j is not a date', (value) => {
    expect(dayOf(value)).toBeUndefined();
  });

  it('a calendar date is only YYYY-MM-DD', () => {
    expect(isCalendarDate('2025-01-01')).toBe(true);
    expect(isCalendarDate('2025-01-01T00:00:00Z')).toBe(false);
  });
});
