/**
 * EventBridge schedule expressions, as EventBridge's scheduled rules accept them:
 *
 *   rate(value unit)   value ≥ 1; unit minute|hour|day when value is 1, minutes|hours|days otherwise
 *   cron(min hour day-of-month month day-of-week year), UTC
 *     min 0-59, hour 0-23        , - * /
 *     day-of-month 1-31          , - * / ? L W      (nW: the weekday nearest day n; L: the last day)
 *     month 1-12 or JAN-DEC      , - * /
 *     day-of-week 1-7 or SUN-SAT , - * ? L #        (1 = SUN; nL: the last weekday n; n#k: the k-th)
 *     year 1970-2199             , - * /
 *     one of day-of-month and day-of-week is '?', the other is not.
 *
 * `scheduleTickMs` names the tick a firing belongs to, the same in every region: for a cron, the
 * latest matching minute at or before the firing (a firing a few seconds late still names its
 * minute); for a rate, the period slot that contains it (floor(t / period) · period), since each
 * region's rule fires once per period at its own phase.
 */

export type ScheduleExpression =
  | { kind: 'rate'; text: string; periodMs: number }
  | { kind: 'cron'; text: string; matches: (minuteStartMs: number) => boolean };

export type ScheduleParse = { ok: true; schedule: ScheduleExpression } | { ok: false; problems: string[] };

/** How far back a cron tick is looked for (minutes): a firing later than this names no tick. */
export const cronTickLookbackMinutesMax = 48 * 60;

const minuteMs = 60_000;
const rateUnitsMs: Record<string, number> = { minute: minuteMs, hour: 60 * minuteMs, day: 1440 * minuteMs };
const monthNames = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const dayNames = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const fields: Record<'minutes' | 'hours' | 'dayOfMonth' | 'month' | 'dayOfWeek' | 'year', FieldSpec> = {
  minutes: { name: 'minutes', min: 0, max: 59 },
  hours: { name: 'hours', min: 0, max: 23 },
  dayOfMonth: { name: 'day-of-month', min: 1, max: 31 },
  month: { name: 'month', min: 1, max: 12, names: monthNames },
  dayOfWeek: { name: 'day-of-week', min: 1, max: 7, names: dayNames },
  year: { name: 'year', min: 1970, max: 2199 },
};

/** One field value (a number or a name) within its range, or a problem. */
function fieldValue(text: string, spec: FieldSpec, problems: string[]): number | null {
  const index = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  if (index >= 0) return index + 1;
  if (!/^\d{1,4}$/.test(text)) {
    problems.push(`${spec.name} "${text}" is not a number${spec.names ? ` or a name (${spec.names[0]}-${spec.names[spec.names.length - 1]})` : ''}`);
    return null;
  }
  const value = Number(text);
  if (value < spec.min || value > spec.max) {
    problems.push(`${spec.name} ${value} is outside ${spec.min}-${spec.max}`);
    return null;
  }
  return value;
}

/** The set of values a list of `*`, `n`, `a-b`, `x/step` parts selects. */
function valueSet(text: string, spec: FieldSpec, problems: string[]): Set<number> {
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const [range, stepText, extra] = part.split('/');
    if (extra !== undefined || range === undefined || range === '') {
      problems.push(`${spec.name} "${part}" is not a value, range or step`);
      continue;
    }
    const step = stepText === undefined ? 1 : /^\d{1,4}$/.test(stepText) && Number(stepText) >= 1 ? Number(stepText) : null;
    if (step === null) {
      problems.push(`${spec.name} step "${stepText}" must be a whole number of at least 1`);
      continue;
    }
    let from: number | null = spec.min;
    let to: number | null = spec.max;
    if (range !== '*') {
      const bounds = range.split('-');
      if (bounds.length > 2) {
        problems.push(`${spec.name} "${range}" is not a range`);
        continue;
      }
      from = fieldValue(bounds[0]!, spec, problems);
      to = bounds.length === 2 ? fieldValue(bounds[1]!, spec, problems) : stepText === undefined ? from : spec.max;
    }
    if (from === null || to === null) continue;
    if (from > to) {
      problems.push(`${spec.name} range ${range} runs backwards`);
      continue;
    }
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

const daysInMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** The weekday (Mon-Fri) nearest day `day` of a month, within that month (Quartz's `W`). */
function nearestWeekday(year: number, month: number, day: number): number {
  const last = daysInMonth(year, month);
  const d = Math.min(day, last);
  const weekday = new Date(Date.UTC(year, month - 1, d)).getUTCDay();
  if (weekday === 6) return d === 1 ? 3 : d - 1;
  if (weekday === 0) return d === last ? d - 2 : d + 1;
  return d;
}

type DayMatcher = (year: number, month: number, day: number, weekday: number) => boolean;

function dayOfMonthMatcher(text: string, problems: string[]): DayMatcher {
  if (text === 'L') return (y, m, d) => d === daysInMonth(y, m);
  const nearest = /^(\d{1,2})W$/.exec(text);
  if (nearest !== null) {
    const day = fieldValue(nearest[1]!, fields.dayOfMonth, problems);
    return (y, m, d) => day !== null && d === nearestWeekday(y, m, day);
  }
  const days = valueSet(text, fields.dayOfMonth, problems);
  return (_y, _m, d) => days.has(d);
}

function dayOfWeekMatcher(text: string, problems: string[]): DayMatcher {
  const last = /^([A-Za-z]{3}|\d)?L$/.exec(text);
  if (last !== null) {
    const weekday = last[1] === undefined ? 7 : fieldValue(last[1], fields.dayOfWeek, problems);
    return (y, m, d, w) => weekday !== null && w + 1 === weekday && d + 7 > daysInMonth(y, m);
  }
  const nth = /^([A-Za-z]{3}|\d)#(\d)$/.exec(text);
  if (nth !== null) {
    const weekday = fieldValue(nth[1]!, fields.dayOfWeek, problems);
    const k = Number(nth[2]);
    if (k < 1 || k > 5) problems.push(`day-of-week "${text}": the number after # must be 1-5`);
    return (_y, _m, d, w) => weekday !== null && w + 1 === weekday && Math.ceil(d / 7) === k;
  }
  const weekdays = valueSet(text, fields.dayOfWeek, problems);
  return (_y, _m, _d, w) => weekdays.has(w + 1);
}

function parseCron(text: string, body: string): ScheduleParse {
  const parts = body.trim().split(/\s+/);
  if (parts.length !== 6) return { ok: false, problems: [`${text}: cron needs 6 fields (minutes hours day-of-month month day-of-week year), got ${parts.length}`] };
  const [minutesText, hoursText, domText, monthText, dowText, yearText] = parts as [string, string, string, string, string, string];
  const problems: string[] = [];
  if ((domText === '?') === (dowText === '?')) problems.push('exactly one of day-of-month and day-of-week must be "?"');
  const minutes = valueSet(minutesText, fields.minutes, problems);
  const hours = valueSet(hoursText, fields.hours, problems);
  const months = valueSet(monthText, fields.month, problems);
  const years = valueSet(yearText, fields.year, problems);
  const noDay: DayMatcher = () => false;
  const day: DayMatcher = domText !== '?' ? dayOfMonthMatcher(domText, problems) : dowText !== '?' ? dayOfWeekMatcher(dowText, problems) : noDay;
  if (problems.length > 0) return { ok: false, problems: problems.map((p) => `${text}: ${p}`) };
  const matches = (ms: number) => {
    const t = new Date(ms);
    return minutes.has(t.getUTCMinutes()) && hours.has(t.getUTCHours()) && months.has(t.getUTCMonth() + 1) && years.has(t.getUTCFullYear())
      && day(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate(), t.getUTCDay());
  };
  return { ok: true, schedule: { kind: 'cron', text, matches } };
}

function parseRate(text: string, body: string): ScheduleParse {
  const match = /^(\d{1,6}) (minute|minutes|hour|hours|day|days)$/.exec(body.trim());
  if (match === null) return { ok: false, problems: [`${text}: rate must be rate(<whole number> minute(s)|hour(s)|day(s)), e.g. rate(7 days)`] };
  const value = Number(match[1]);
  const unit = match[2]!;
  if (value < 1) return { ok: false, problems: [`${text}: the rate must be at least 1`] };
  const plural = unit.endsWith('s');
  if ((value === 1) === plural) return { ok: false, problems: [`${text}: EventBridge wants "${value} ${value === 1 ? unit.slice(0, -1) : `${unit}s`}"`] };
  return { ok: true, schedule: { kind: 'rate', text, periodMs: value * rateUnitsMs[plural ? unit.slice(0, -1) : unit]! } };
}

/**
 * Parses an EventBridge schedule expression, naming every problem.
 * @example parseScheduleExpression('cron(0 10 ? * TUE *)').ok // → true
 * @example parseScheduleExpression('rate(0 minutes)') // → { ok: false, problems: ['rate(0 minutes): the rate must be at least 1'] }
 */
export function parseScheduleExpression(text: string): ScheduleParse {
  const match = /^(cron|rate)\((.*)\)$/.exec(text.trim());
  if (match === null) return { ok: false, problems: [`"${text}" is not an EventBridge cron(...) or rate(...) expression`] };
  return match[1] === 'cron' ? parseCron(text, match[2]!) : parseRate(text, match[2]!);
}

/**
 * The tick a firing at `firedMs` belongs to (see the header), or null for a cron with no match in
 * the last `cronTickLookbackMinutesMax` minutes.
 * @example scheduleTickMs(schedule('cron(0 9 ? * MON *)'), Date.parse('2026-11-30T09:00:07Z')) // → Date.parse('2026-11-30T09:00:00Z')
 */
export function scheduleTickMs(schedule: ScheduleExpression, firedMs: number): number | null {
  if (schedule.kind === 'rate') return Math.floor(firedMs / schedule.periodMs) * schedule.periodMs;
  const minuteStartMs = Math.floor(firedMs / minuteMs) * minuteMs;
  for (let back = 0; back <= cronTickLookbackMinutesMax; back += 1) {
    const candidateMs = minuteStartMs - back * minuteMs;
    if (schedule.matches(candidateMs)) return candidateMs;
  }
  return null;
}
