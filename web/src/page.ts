// What a routed page gives the router.
export interface Page {
  el: HTMLElement;
  title: string;
  /** the hash's query changed while this page is shown */
  onQuery?(q: URLSearchParams): void;
  destroy?(): void;
}
