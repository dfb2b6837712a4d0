// Number, money, date and country formatting (en-US throughout).

const money = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
const moneyCompact = new Intl.NumberFormat("en-US", {
  style: "currency",
  currency: "USD",
  notation: "compact",
  maximumFractionDigits: 1,
});
const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });

export const fmtMoney = (n: number): string => money.format(n);
export const fmtMoneyCompact = (n: number): string => moneyCompact.format(n);
export const fmtInt = (n: number): string => integer.format(n);
export const fmtNumber = (n: number): string => decimal.format(n);

let regionNames: Intl.DisplayNames | null = null;
try {
  regionNames = typeof Intl.DisplayNames === "function" ? new Intl.DisplayNames(["en"], { type: "region" }) : null;
} catch {
  regionNames = null;
}

const countryCache = new Map<string, string>();

/** The English name of an ISO 3166 alpha-2 code, or the code itself. */
export function countryName(code: string): string {
  let name = countryCache.get(code);
  if (name === undefined) {
    name = code;
    if (regionNames && /^[A-Za-z]{2}$/.test(code)) {
      try {
        name = regionNames.of(code.toUpperCase()) ?? code;
      } catch {
        name = code;
      }
    }
    countryCache.set(code, name);
  }
  return name;
}

const monthFmt = new Intl.DateTimeFormat("en-US", { month: "short", year: "numeric", timeZone: "UTC" });
const dayFmt = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", year: "numeric", timeZone: "UTC" });

/** A period label for the time chart: "Mar 2024" for months, "Mar 4, 2024" otherwise. */
export function periodLabel(period: string, grain: string): string {
  const d = new Date(period.length === 10 ? period + "T00:00:00Z" : period);
  if (Number.isNaN(d.getTime())) return period;
  if (grain === "month") return monthFmt.format(d);
  return (grain === "week" ? "Week of " : "") + dayFmt.format(d);
}

const timeFmt = new Intl.DateTimeFormat("en-US", {
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hour12: false,
});

export function fmtTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : timeFmt.format(d);
}

// Regions are time-zone continents ("America/Lima" → America): these are
// the names people use for them.
const REGION_NAMES: Record<string, string> = {
  America: "Americas",
  Indian: "Indian Ocean",
  Atlantic: "Atlantic islands",
  Pacific: "Pacific islands",
  Australia: "Australia",
};

export function regionName(region: string): string {
  return REGION_NAMES[region] ?? region;
}
