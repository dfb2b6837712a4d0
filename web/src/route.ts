// Hash routes: "#/", "#/access", "#/admin/sql", ... with an optional "?query".

export interface Route {
  path: string;
  query: URLSearchParams;
}

/** The route in the hash, or null for a hash that is not a route (an in-page anchor). */
export function currentRoute(): Route | null {
  const hash = location.hash;
  if (hash === "" || hash === "#") return { path: "/", query: new URLSearchParams() };
  if (!hash.startsWith("#/")) return null;
  const rest = hash.slice(1);
  const q = rest.indexOf("?");
  const path = q < 0 ? rest : rest.slice(0, q);
  const query = new URLSearchParams(q < 0 ? "" : rest.slice(q + 1));
  return { path: path.replace(/\/+$/, "") || "/", query };
}

/** Replaces the hash's query without a hashchange event (and without a history entry). */
export function replaceQuery(path: string, query: URLSearchParams): void {
  const qs = query.toString();
  const hash = "#" + path + (qs ? "?" + qs : "");
  if (location.hash !== hash) history.replaceState(history.state, "", hash);
}

/**
 * Puts a new query in the hash as a history entry of its own, so Back
 * undoes it (the router sees Back as a hashchange), without a hashchange
 * event now: the page that called it already shows the new state.
 */
export function pushQuery(path: string, query: URLSearchParams): void {
  const qs = query.toString();
  const hash = "#" + path + (qs ? "?" + qs : "");
  if (location.hash !== hash) history.pushState(history.state, "", hash);
}
