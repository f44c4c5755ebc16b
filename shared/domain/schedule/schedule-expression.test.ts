import fc from 'fast-check';
import { cronTickLookbackMinutesMax, parseScheduleExpression, scheduleTickMs, type ScheduleExpression } from './schedule-expression';

function schedule(text: string): ScheduleExpression {
  const parsed = parseScheduleExpression(text);
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  return parsed.schedule;
}

const at = (iso: string) => Date.parse(iso);

describe('EventBridge schedule expressions', () => {
  it.each([
    ['cron(99 99 ? * TUE *)', ['cron(99 99 ? * TUE *): minutes 99 is outside 0-59', 'cron(99 99 ? * TUE *): hours 99 is outside 0-23']],
    ['rate(0 minutes)', ['rate(0 minutes): the rate must be at least 1']],
    ['rate(1 minutes)', ['rate(1 minutes): EventBridge wants "1 minute"']],
    ['rate(5 minute)', ['rate(5 minute): EventBridge wants "5 minutes"']],
    ['rate(2 weeks)', ['rate(2 weeks): rate must be rate(<whole number> minute(s)|hour(s)|day(s)), e.g. rate(7 days)']],
    ['cron(0 10 * * TUE *)', ['cron(0 10 * * TUE *): exactly one of day-of-month and day-of-week must be "?"']],
    ['cron(0 10 ? * ? *)', ['cron(0 10 ? * ? *): exactly one of day-of-month and day-of-week must be "?"']],
    ['cron(0 10 ? * TUE)', ['cron(0 10 ? * TUE): cron needs 6 fields (minutes hours day-of-month month day-of-week year), got 5']],
    ['cron(0 10 ? FOO MON 2300)', ['cron(0 10 ? FOO MON 2300): month "FOO" is not a number or a name (JAN-DEC)', 'cron(0 10 ? FOO MON 2300): year 2300 is outside 1970-2199']],
    ['cron(30-10 * ? * MON#6 *)', ['cron(30-10 * ? * MON#6 *): minutes range 30-10 runs backwards', 'cron(30-10 * ? * MON#6 *): day-of-week "MON#6": the number after # must be 1-5']],
    ['cron(*/0 * * * ? *)', ['cron(*/0 * * * ? *): minutes step "0" must be a whole number of at least 1']],
    ['every monday', ['"every monday" is not an EventBridge cron(...) or rate(...) expression']],
  ])('rejects %s, naming every problem', (text, problems) => {
    expect(parseScheduleExpression(text)).toEqual({ ok: false, problems });
  });

  it.each(['cron(0 10 ? * TUE *)', 'cron(0/15 8-17 ? * MON-FRI *)', 'cron(0 9 L * ? *)', 'cron(0 9 15W * ? *)', 'cron(0 9 ? * 6L *)', 'cron(0 9 ? * MON#2 2026-2030)', 'cron(5,35 * 1,15 JAN,JUL ? *)', 'rate(1 day)', 'rate(7 days)', 'rate(90 minutes)'])('accepts %s', (text) => {
    expect(parseScheduleExpression(text).ok).toBe(true);
  });

  it('names a cron tick by the latest matching minute, so a late firing still names its minute', () => {
    const weekly = schedule('cron(0 9 ? * MON *)');
    expect(scheduleTickMs(weekly, at('2026-11-30T09:00:00Z'))).toBe(at('2026-11-30T09:00:00Z'));
    expect(scheduleTickMs(weekly, at('2026-11-30T09:00:59Z'))).toBe(at('2026-11-30T09:00:00Z'));
    expect(scheduleTickMs(weekly, at('2026-11-30T09:04:10Z'))).toBe(at('2026-11-30T09:00:00Z'));
    expect(scheduleTickMs(weekly, at('2026-12-02T09:01:00Z'))).toBeNull(); // Wednesday: no Monday 09:00 within 48 h
  });

  it('matches L, W and # days as EventBridge does', () => {
    expect(scheduleTickMs(schedule('cron(0 9 L * ? *)'), at('2026-02-28T09:00:30Z'))).toBe(at('2026-02-28T09:00:00Z'));
    expect(scheduleTickMs(schedule('cron(0 9 L * ? *)'), at('2026-02-27T09:00:30Z'))).toBeNull();
    // 2026-08-15 is a Saturday: 15W is Friday the 14th.
    expect(scheduleTickMs(schedule('cron(0 9 15W * ? *)'), at('2026-08-14T09:00:05Z'))).toBe(at('2026-08-14T09:00:00Z'));
    // The second Monday of December 2026 is the 14th; the last Friday (6L) the 25th.
    expect(scheduleTickMs(schedule('cron(0 9 ? * MON#2 *)'), at('2026-12-14T09:00:05Z'))).toBe(at('2026-12-14T09:00:00Z'));
    expect(scheduleTickMs(schedule('cron(0 9 ? * MON#2 *)'), at('2026-12-07T09:00:05Z'))).toBeNull();
    expect(scheduleTickMs(schedule('cron(0 9 ? * 6L *)'), at('2026-12-25T09:00:05Z'))).toBe(at('2026-12-25T09:00:00Z'));
  });

  it('gives every firing of a rate the slot of its period, whichever region fires it', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 14 }), fc.integer({ min: 0, max: 4_000_000_000_000 }), (days, firedMs) => {
      const periodMs = days * 86_400_000;
      const tickMs = scheduleTickMs(schedule(`rate(${days} ${days === 1 ? 'day' : 'days'})`), firedMs)!;
      return tickMs <= firedMs && firedMs - tickMs < periodMs && tickMs % periodMs === 0;
    }));
  });

  it('gives a cron tick that matches, at or before the firing, and the same tick to every firing up to the next match', () => {
    const hourly = schedule('cron(7 * ? * MON-FRI *)');
    fc.assert(fc.property(fc.integer({ min: 1_000_000_000_000, max: 4_000_000_000_000 }), fc.integer({ min: 0, max: 59_999 }), (firedMs, laterMs) => {
      const tickMs = scheduleTickMs(hourly, firedMs);
      if (tickMs === null) {
        // Only possible more than 48 h after Friday 23:07: from Sunday 23:08 to Monday 00:06.
        const t = new Date(firedMs);
        const minuteOfDay = t.getUTCHours() * 60 + t.getUTCMinutes();
        return (t.getUTCDay() === 0 && minuteOfDay >= 23 * 60 + 8) || (t.getUTCDay() === 1 && minuteOfDay < 7);
      }
      const later = scheduleTickMs(hourly, tickMs + laterMs);
      return hourly.kind === 'cron' && hourly.matches(tickMs) && tickMs <= firedMs && firedMs - tickMs <= cronTickLookbackMinutesMax * 60_000 && later === tickMs;
    }));
  });
});
