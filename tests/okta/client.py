"""An OpenID Connect client of Okta's org authorization server using only
`requests` (and the standard library), run against tipgate's Okta-shaped
endpoints: https://$TIPGATE_OKTA_DOMAIN/oauth2/v1/…

It does what an app written for Okta does: discovery at the issuer root, the
authorization code flow with PKCE (S256) through the real login page, the
token exchange as a confidential client with client_secret_basic and with
client_secret_post, the ID token's RS256 signature checked against
/oauth2/v1/keys, /userinfo, /revoke, /logout, and the refusals (a code used
twice, a wrong secret, a wrong PKCE verifier, no client authentication, a
redirect URI that is not registered exactly).

Prints a JSON transcript on stdout in which every value that changes from run
to run (ports, tokens, times, subjects) is replaced by a placeholder, so it
can be compared with a golden file (cmd/tipgate/okta_python_test.go). Exits
1 with a message on stderr when a step cannot run at all.

Environment (demo.env): TIPGATE_OKTA_DOMAIN, TIPGATE_STREAMLIT_CLIENT_ID,
TIPGATE_STREAMLIT_CLIENT_SECRET, TIPGATE_STREAMLIT_REDIRECT_URI,
REQUESTS_CA_BUNDLE (the local CA of `tipgate demo --tls`); the user's
TIPGATE_TEST_EMAIL and TIPGATE_DEMO_PASSWORD.
"""

import base64
import hashlib
import html.parser
import json
import os
import secrets
import sys
import urllib.parse

import requests

TIMEOUT = 20


def env(name):
    v = os.environ.get(name)
    if not v:
        sys.exit(f"client.py: {name} is not set")
    return v


DOMAIN = env("TIPGATE_OKTA_DOMAIN")
ISSUER = f"https://{DOMAIN}"
CLIENT_ID = env("TIPGATE_STREAMLIT_CLIENT_ID")
CLIENT_SECRET = env("TIPGATE_STREAMLIT_CLIENT_SECRET")
REDIRECT_URI = env("TIPGATE_STREAMLIT_REDIRECT_URI")
EMAIL = env("TIPGATE_TEST_EMAIL")
PASSWORD = env("TIPGATE_DEMO_PASSWORD")


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


class FirstForm(html.parser.HTMLParser):
    """The login page's first form: its action and its named inputs."""

    def __init__(self):
        super().__init__()
        self.action = None
        self.fields = {}
        self.done = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if self.done:
            return
        if tag == "form" and self.action is None:
            self.action = a.get("action", "")
        elif tag == "input" and self.action is not None and a.get("name"):
            self.fields[a["name"]] = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form" and self.action is not None:
            self.done = True


def verify_rs256(jwt, jwks):
    """Checks the JWT's RS256 signature with the JWKS key of its kid
    (RSASSA-PKCS1-v1_5 with SHA-256, in plain integer arithmetic) and
    returns its header and claims."""
    h64, p64, s64 = jwt.split(".")
    header = json.loads(b64url_decode(h64))
    if header.get("alg") != "RS256":
        raise ValueError(f"alg {header.get('alg')}")
    keys = [k for k in jwks["keys"] if k.get("kid") == header.get("kid") and k.get("kty") == "RSA"]
    if len(keys) != 1:
        raise ValueError(f"{len(keys)} keys for kid {header.get('kid')}")
    n = int.from_bytes(b64url_decode(keys[0]["n"]), "big")
    e = int.from_bytes(b64url_decode(keys[0]["e"]), "big")
    k = (n.bit_length() + 7) // 8
    sig = int.from_bytes(b64url_decode(s64), "big")
    em = pow(sig, e, n).to_bytes(k, "big")
    digest_info = bytes.fromhex("3031300d060960864801650304020105000420") + hashlib.sha256(f"{h64}.{p64}".encode()).digest()
    want = b"\x00\x01" + b"\xff" * (k - len(digest_info) - 3) + b"\x00" + digest_info
    if not secrets.compare_digest(em, want):
        raise ValueError("bad signature")
    return header, json.loads(b64url_decode(p64))


def scrub(v):
    """Replaces what changes between runs by placeholders."""
    if isinstance(v, dict):
        return {k: scrub_claim(k, x) for k, x in sorted(v.items())}
    if isinstance(v, list):
        return [scrub(x) for x in v]
    if isinstance(v, str):
        return v.replace(DOMAIN, "OKTA_DOMAIN")
    return v


def scrub_claim(k, v):
    if k in ("iat", "exp", "auth_time", "nbf", "expires_in"):
        return f"<{type(v).__name__}>"
    if k in ("sub", "sid", "jti", "at_hash", "c_hash", "kid", "nonce"):
        return f"<{k}>"
    if k in ("access_token", "refresh_token", "id_token"):
        return "<jwt>" if isinstance(v, str) and v.count(".") == 2 else "<opaque>"
    return scrub(v)


def main():
    out = {}
    s = requests.Session()  # the browser: keeps the IdP's cookies

    disco = s.get(f"{ISSUER}/.well-known/openid-configuration", timeout=TIMEOUT)
    d = disco.json()
    out["discovery"] = {"status": disco.status_code, **{k: scrub(d.get(k)) for k in (
        "issuer", "authorization_endpoint", "token_endpoint", "userinfo_endpoint", "revocation_endpoint",
        "end_session_endpoint", "jwks_uri", "code_challenge_methods_supported", "token_endpoint_auth_methods_supported")}}
    jwks = s.get(d["jwks_uri"], timeout=TIMEOUT).json()

    def sign_in(redirect_uri=REDIRECT_URI):
        """Authorize with PKCE, fill in the login page, and return the
        redirect back to the app (or the IdP's answer when there is none)."""
        verifier = secrets.token_urlsafe(64)
        challenge = b64url(hashlib.sha256(verifier.encode()).digest())
        state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
        params = {"client_id": CLIENT_ID, "response_type": "code", "scope": "openid profile email",
                  "redirect_uri": redirect_uri, "state": state, "nonce": nonce,
                  "code_challenge": challenge, "code_challenge_method": "S256"}
        r = s.get(d["authorization_endpoint"], params=params, timeout=TIMEOUT, allow_redirects=True)
        if r.status_code != 200 or "<form" not in r.text:
            return {"status": r.status_code, "login_page": False}, None
        form = FirstForm()
        form.feed(r.text)
        data = dict(form.fields, email=EMAIL, password=PASSWORD)
        r = s.post(urllib.parse.urljoin(r.url, form.action), data=data, timeout=TIMEOUT, allow_redirects=False)
        # The IdP's own redirects (same origin) are followed; the app's is not.
        while r.status_code in (302, 303) and r.headers["Location"].startswith(("/", ISSUER)):
            r = s.get(urllib.parse.urljoin(ISSUER, r.headers["Location"]), timeout=TIMEOUT, allow_redirects=False)
        loc = urllib.parse.urlsplit(r.headers.get("Location", ""))
        q = dict(urllib.parse.parse_qsl(loc.query))
        step = {"login_page": True, "status": r.status_code,
                "redirect": urllib.parse.urlunsplit((loc.scheme, loc.netloc, loc.path, "", "")),
                "params": sorted(q), "state_matches": q.get("state") == state}
        return step, {"code": q.get("code"), "verifier": verifier, "nonce": nonce}

    def token(data, auth):
        """POSTs to the token endpoint with the client authenticating by
        auth: basic, post, or none."""
        data = dict(data)
        kw = {}
        if auth == "basic":
            kw["auth"] = (CLIENT_ID, data.pop("_secret", CLIENT_SECRET))
        elif auth == "post":
            data["client_id"] = CLIENT_ID
            data["client_secret"] = data.pop("_secret", CLIENT_SECRET)
        else:
            data["client_id"] = CLIENT_ID
        r = requests.post(d["token_endpoint"], data=data, timeout=TIMEOUT, **kw)
        return r.status_code, r.json()

    def code_flow(auth):
        step, got = sign_in()
        form = {"grant_type": "authorization_code", "code": got["code"], "redirect_uri": REDIRECT_URI,
                "code_verifier": got["verifier"]}
        status, tok = token(form, auth)
        res = {"authorize": step, "token": {"status": status, "body": scrub(tok)}}
        if status == 200:
            header, claims = verify_rs256(tok["id_token"], jwks)
            res["id_token_header"] = scrub({k: v for k, v in header.items()})
            res["id_token_claims"] = scrub(claims)
            res["id_token_nonce_matches"] = claims.get("nonce") == got["nonce"]
            again, body = token(form, auth)
            res["code_reused"] = {"status": again, "error": body.get("error")}
        return res, tok

    out["code_pkce_client_secret_basic"], tok = code_flow("basic")
    out["code_pkce_client_secret_post"], _ = code_flow("post")

    refusals = {}
    for name, auth, change in (
        ("wrong_secret_basic", "basic", {"_secret": "not-the-secret"}),
        ("wrong_secret_post", "post", {"_secret": "not-the-secret"}),
        ("no_client_authentication", "none", {}),
        ("wrong_code_verifier", "basic", {"code_verifier": secrets.token_urlsafe(64)}),
        ("no_code_verifier", "basic", {"code_verifier": None}),
        ("another_redirect_uri", "basic", {"redirect_uri": REDIRECT_URI + "/other"}),
    ):
        _, got = sign_in()
        form = {"grant_type": "authorization_code", "code": got["code"], "redirect_uri": REDIRECT_URI,
                "code_verifier": got["verifier"], **change}
        form = {k: v for k, v in form.items() if v is not None}
        status, body = token(form, auth)
        refusals[name] = {"status": status, "error": body.get("error"), "id_token": "id_token" in body}
    step, _ = sign_in(redirect_uri=REDIRECT_URI + "/")
    refusals["authorize_unregistered_redirect_uri"] = step
    out["refusals"] = refusals

    ui = requests.get(d["userinfo_endpoint"], headers={"Authorization": f"Bearer {tok['access_token']}"}, timeout=TIMEOUT)
    out["userinfo"] = {"status": ui.status_code, "body": scrub(ui.json())}
    rv = requests.post(d["revocation_endpoint"], data={"token": tok["access_token"], "token_type_hint": "access_token"},
                       auth=(CLIENT_ID, CLIENT_SECRET), timeout=TIMEOUT)
    out["revoke"] = {"status": rv.status_code}
    ui = requests.get(d["userinfo_endpoint"], headers={"Authorization": f"Bearer {tok['access_token']}"}, timeout=TIMEOUT)
    out["userinfo_after_revoke"] = {"status": ui.status_code}

    lo = s.get(d["end_session_endpoint"], params={"id_token_hint": tok["id_token"], "post_logout_redirect_uri": REDIRECT_URI,
                                                   "state": "bye"}, timeout=TIMEOUT, allow_redirects=False)
    out["logout"] = {"status": lo.status_code, "location": scrub(lo.headers.get("Location"))}
    json.dump(out, sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    try:
        main()
    except requests.RequestException as e:
        sys.exit(f"client.py: {type(e).__name__}: {e}")
