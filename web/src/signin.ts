// The server-rendered /signin page. A link's view lives in its URL hash,
// which browsers never send to the server: this script puts the hash into
// the return address before the browser leaves for the identity provider,
// so the person lands on exactly the view they opened. A plain sign-in
// (no message to read) goes straight on to the provider.

function carryHash(): void {
  const btn = document.querySelector<HTMLAnchorElement>('[data-testid="signin-button"]');
  if (!btn) return;
  const hash = location.hash;
  const target = new URL(btn.href, location.href);
  const ret = target.searchParams.get("return") ?? "/app/";
  // Only a dashboard route ("#/…") is carried, and only when the return
  // address has no view of its own.
  if (hash.startsWith("#/") && !ret.includes("#")) {
    target.searchParams.set("return", ret + hash);
    btn.href = target.pathname + target.search;
  }
  if (document.body.dataset.auto === "1") location.replace(btn.href);
}

carryHash();
