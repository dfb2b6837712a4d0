// Shapes of the JSON API in docs/dashboard.md.

export interface ViewAs {
  user: string;
  email: string;
  groups: string[];
  roles: string[];
}

export interface Me {
  user: string;
  email: string;
  groups: string[];
  roles: string[];
  secadmin: boolean;
  csrfToken: string;
  expiresAt: string;
  viewAs: ViewAs | null;
}

export interface FilterChoices {
  categories: string[];
  countries: { code: string; region: string }[];
  minDate: string | null;
  maxDate: string | null;
  noAccess?: boolean;
}

export interface PanelAnswer<T> {
  rows: T[];
  cached?: boolean;
  ms?: number;
  noAccess?: boolean;
  message?: string;
}

/** GET /app/api/dashboard: the panels asked for, in one answer. */
export interface DashboardAnswer {
  panels: Partial<Record<string, PanelAnswer<unknown>>>;
  filters?: FilterChoices;
  previous?: PanelAnswer<unknown>;
  cached?: boolean;
  ms?: number;
}

export interface Figures {
  revenue: number;
  units: number;
  orders: number;
}

export interface HeadlineRow extends Figures {
  avgOrderValue: number;
  cities: number;
  countries: number;
}

export interface CityRow extends Figures {
  city: string;
  country: string;
  region: string;
  lat: number;
  lon: number;
}

export interface RegionRow extends Figures {
  region: string;
}

export interface CountryRow extends Figures {
  country: string;
  region: string;
}

export interface CategoryRow extends Figures {
  category: string;
}

export interface TimeRow extends Figures {
  period: string;
}

export interface MaskInfo {
  policy: string;
  expression: string;
  via?: string;
  priority?: number;
}

export interface AccessTable {
  table: string;
  visible: boolean;
  summary: string;
  rows: {
    mode: "all" | "bypassed" | "filtered" | "none" | string;
    conjunction?: string;
    policies?: { policy: string; predicate: string; via?: string[] }[];
    text?: string;
  };
  columns: { name: string; type?: string; granted: boolean; mask: MaskInfo | null }[];
  reasons: string[];
}

export interface Access {
  user: string;
  email: string;
  groups: string[];
  roles: string[];
  bypasses: string[];
  secadmin: boolean;
  catalogVersion?: number;
  tables: AccessTable[];
}

export interface SqlResult {
  statementId?: string;
  columns: { name: string; type?: string }[];
  rows: unknown[][];
  rowCount: number;
  truncated: boolean;
  ms?: number;
}

export interface AuditRecord {
  time: string;
  kind: string;
  user?: string;
  actor?: string;
  groups?: string[];
  roles?: string[];
  binding?: string;
  sql?: string;
  status?: string;
  rows?: number;
  duration_ns?: number;
  policies?: string[];
  error?: string;
}

export interface ViewAsOptions {
  namespace: string;
  groups: string[];
  users: string[];
}
