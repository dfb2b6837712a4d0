// Calendar arithmetic for the time chart and the date presets, on
// YYYY-MM-DD strings in UTC (the data's timestamps carry no zone).

export type Grain = "day" | "week" | "month";

const DAY = 86_400_000;

export function parseDay(s: string): Date {
  return new Date(s + "T00:00:00Z");
}

export function fmtDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export function addDays(s: string, n: number): string {
  return fmtDay(new Date(parseDay(s).getTime() + n * DAY));
}

/** Days from a to b inclusive. */
export function daysBetween(a: string, b: string): number {
  return Math.round((parseDay(b).getTime() - parseDay(a).getTime()) / DAY) + 1;
}

/** The start of the period a day falls in: the day, its ISO week's Monday, or the first of its month. */
export function periodStart(day: string, grain: Grain): string {
  const d = parseDay(day);
  if (grain === "week") return addDays(day, -((d.getUTCDay() + 6) % 7));
  if (grain === "month") return day.slice(0, 8) + "01";
  return day;
}

export function nextPeriod(start: string, grain: Grain): string {
  if (grain === "day") return addDays(start, 1);
  if (grain === "week") return addDays(start, 7);
  const d = parseDay(start);
  return fmtDay(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)));
}

/**
 * Every period from the one holding from to the one holding to, so that a
 * period without sales is drawn as zero where it belongs instead of being
 * left out. partial says the range covers only part of the period.
 */
export function periodsBetween(from: string, to: string, grain: Grain): { start: string; partial: boolean }[] {
  const out: { start: string; partial: boolean }[] = [];
  if (!from || !to || from > to) return out;
  for (let p = periodStart(from, grain); p <= to && out.length < 5000; p = nextPeriod(p, grain)) {
    const end = addDays(nextPeriod(p, grain), -1);
    out.push({ start: p, partial: p < from || end > to });
  }
  return out;
}

export type Preset = "" | "last30" | "last90" | "quarter" | "year" | "all";

/**
 * A preset's dates, counted back from the last day with data (the demo's
 * data ends before today; "the last 30 days" of an empty calendar would
 * help nobody). "" for all dates.
 */
export function presetRange(p: Preset, maxDate: string): { from: string; to: string } {
  if (!maxDate || p === "" || p === "all") return { from: "", to: "" };
  if (p === "last30") return { from: addDays(maxDate, -29), to: maxDate };
  if (p === "last90") return { from: addDays(maxDate, -89), to: maxDate };
  const d = parseDay(maxDate);
  if (p === "quarter") {
    const q = Math.floor(d.getUTCMonth() / 3) * 3;
    return { from: fmtDay(new Date(Date.UTC(d.getUTCFullYear(), q, 1))), to: fmtDay(new Date(Date.UTC(d.getUTCFullYear(), q + 3, 0))) };
  }
  return { from: `${d.getUTCFullYear()}-01-01`, to: `${d.getUTCFullYear()}-12-31` };
}

/** The period of the same length just before from..to. */
export function previousRange(from: string, to: string): { from: string; to: string } {
  const n = daysBetween(from, to);
  return { from: addDays(from, -n), to: addDays(from, -1) };
}
