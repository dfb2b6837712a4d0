"""Total sales by city, for the person signed in: a Streamlit app written for
Okta and Amazon Redshift, run against tipgate.

The shape of the reference design, with nothing tipgate-specific in the code:
sign-in with streamlit-oauth against Okta's org authorization server
(https://OKTA_DOMAIN/oauth2/v1/…, authorization code + PKCE, confidential
client), the trusted identity propagation flow with boto3 (STS
AssumeRoleWithWebIdentity → SSO-OIDC CreateTokenWithIAM → STS AssumeRole with
ProvidedContexts), the identity-enhanced credentials, a Redshift Data API
query that runs as the person (their row-level security applies), and a pydeck
map of total sales by city.

Configured only through the environment: `. tipgate-data/demo.env` sets all of
it (see README.md). Pointing it at a real Okta org and AWS account means
setting the same variables to their values.
"""

import base64
import json
import os
import time
from datetime import datetime, timezone
from decimal import Decimal

import boto3
import botocore.exceptions
import pandas as pd
import pydeck as pdk
import streamlit as st
from streamlit_oauth import OAuth2Component, StreamlitOauthError

SCOPES = "openid profile email"
SQL = """SELECT city, country, latitude, longitude, sum(quantity * sales_price) AS sales
FROM sales_data
GROUP BY city, country, latitude, longitude
ORDER BY sales DESC, city, country"""

# (environment variable, what it is): every one must be set.
SETTINGS = [
    ("TIPGATE_OKTA_DOMAIN", "the Okta org's host[:port]; its authorization server is https://OKTA_DOMAIN/oauth2/v1"),
    ("TIPGATE_STREAMLIT_CLIENT_ID", "the app's client id at Okta"),
    ("TIPGATE_STREAMLIT_CLIENT_SECRET", "the app's client secret at Okta"),
    ("TIPGATE_STREAMLIT_REDIRECT_URI", "this app's URL, registered at Okta as redirect and sign-out URI"),
    ("TIPGATE_BRIDGE_ROLE_ARN", "the IAM role assumed with the Okta ID token"),
    ("TIPGATE_APP_ARN", "the IAM Identity Center application that trusts Okta"),
    ("TIPGATE_CLIENT_ROLE_ARN", "the IAM role of identity-enhanced Data API sessions"),
    ("TIPGATE_WORKGROUP", "the Redshift Serverless workgroup"),
    ("TIPGATE_DATABASE", "the database"),
]


class SessionExpired(Exception):
    """The sign-in can no longer be used: sign in again."""


def settings():
    missing = [f"`{k}` ({what})" for k, what in SETTINGS if not os.environ.get(k)]
    if missing:
        st.error("This app is not configured. Missing environment variables:\n\n- " + "\n- ".join(missing)
                 + "\n\nWith tipgate: `. tipgate-data/demo.env` before `streamlit run app.py`.")
        st.stop()
    return {k: os.environ[k] for k, _ in SETTINGS}


def claims_of(jwt):
    """The claims of a JWT, for display and expiry only: the app trusts
    nothing in them (tipgate and AWS verify the token's signature)."""
    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def session_ends(state):
    """When the sign-in ends: the ID token's expiry, or earlier when
    TIPGATE_STREAMLIT_SESSION_SECONDS limits the app's sessions."""
    end = state["claims"]["exp"]
    limit = os.environ.get("TIPGATE_STREAMLIT_SESSION_SECONDS")
    if limit:
        end = min(end, state["signed_in_at"] + int(limit))
    return end


def keys(c):
    return {"aws_access_key_id": c["AccessKeyId"], "aws_secret_access_key": c["SecretAccessKey"],
            "aws_session_token": c["SessionToken"]}


def identity_enhanced_credentials(cfg, id_token):
    """The trusted identity propagation flow: Okta ID token → bridge role →
    Identity Center token with the user's identity context → the Data API
    client role, identity-enhanced."""
    web = boto3.client("sts").assume_role_with_web_identity(
        RoleArn=cfg["TIPGATE_BRIDGE_ROLE_ARN"], RoleSessionName="streamlit", WebIdentityToken=id_token)
    bridge = keys(web["Credentials"])
    idc = boto3.client("sso-oidc", **bridge).create_token_with_iam(
        clientId=cfg["TIPGATE_APP_ARN"], grantType="urn:ietf:params:oauth:grant-type:jwt-bearer", assertion=id_token)
    idc_claims = claims_of(idc["idToken"])
    enhanced = boto3.client("sts", **bridge).assume_role(
        RoleArn=cfg["TIPGATE_CLIENT_ROLE_ARN"], RoleSessionName="streamlit",
        ProvidedContexts=[{"ProviderArn": "arn:aws:iam::aws:contextProvider/IdentityCenter",
                           "ContextAssertion": idc_claims["sts:identity_context"]}])
    return {"credentials": enhanced["Credentials"], "role": enhanced["AssumedRoleUser"]["Arn"],
            "bridge_role": web["AssumedRoleUser"]["Arn"], "idc_user": idc_claims.get("sub", ""),
            "idc_email": idc_claims.get("email", ""), "scope": idc.get("scope", [])}


def field(f):
    if f.get("isNull"):
        return None
    return next(iter(f.values()))


class NoAccess(Exception):
    """Redshift refused the query for this person."""


def sales_by_city(cfg, creds):
    data = boto3.client("redshift-data", **keys(creds))
    ex = data.execute_statement(Sql=SQL, WorkgroupName=cfg["TIPGATE_WORKGROUP"], Database=cfg["TIPGATE_DATABASE"])
    deadline = time.monotonic() + 60
    while True:
        ds = data.describe_statement(Id=ex["Id"])
        if ds["Status"] == "FINISHED":
            break
        if ds["Status"] in ("FAILED", "ABORTED"):
            if "permission denied" in ds.get("Error", ""):
                raise NoAccess(ds["Error"])
            raise RuntimeError(f"the query {ds['Status'].lower()}: {ds.get('Error', '')}")
        if time.monotonic() > deadline:
            raise RuntimeError("the query did not finish within 60 s")
        time.sleep(0.1)
    rows, kwargs = [], {"Id": ex["Id"]}
    while True:
        res = data.get_statement_result(**kwargs)
        names = [c["name"] for c in res["ColumnMetadata"]]
        rows += [dict(zip(names, map(field, rec))) for rec in res["Records"]]
        if not res.get("NextToken"):
            break
        kwargs["NextToken"] = res["NextToken"]
    df = pd.DataFrame(rows, columns=["city", "country", "latitude", "longitude", "sales"])
    df["sales"] = df["sales"].map(lambda v: Decimal(str(v)).quantize(Decimal("0.01")))
    return df, ds.get("RedshiftQueryId") or ex["Id"]


def sign_in_page(oauth2, cfg):
    st.title("Sales by city")
    if st.session_state.pop("expired", False):
        with st.container(key="expired"):
            st.warning("Your session has expired. Sign in again to continue.")
    if st.session_state.pop("signed_out", False):
        with st.container(key="signed-out"):
            st.success("You are signed out.")
    if error := st.session_state.pop("sign_in_error", None):
        st.error(f"Sign-in failed: {error}")
    st.write("Sign in with your organisation's account to see the sales you may see.")
    try:
        result = oauth2.authorize_button("Sign in", cfg["TIPGATE_STREAMLIT_REDIRECT_URI"], SCOPES, key="okta", pkce="S256")
    except StreamlitOauthError as e:
        st.session_state.sign_in_error = str(e)
        st.rerun()
    if result and "token" in result:
        tok = result["token"]
        if "id_token" not in tok:
            st.session_state.sign_in_error = "the identity provider returned no ID token (is the openid scope allowed?)"
            st.rerun()
        st.session_state.auth = {"token": tok, "claims": claims_of(tok["id_token"]), "signed_in_at": time.time()}
        st.rerun()


def sign_out(oauth2):
    auth = st.session_state.pop("auth", None)
    st.session_state.pop("aws", None)
    if auth:
        oauth2.revoke_token(auth["token"], "access_token")  # the app's tokens end with the sign-out
    st.session_state.signed_out = True


def expire():
    st.session_state.pop("auth", None)
    st.session_state.pop("aws", None)
    st.session_state.expired = True
    st.rerun()


def signed_in_page(oauth2, cfg):
    auth = st.session_state.auth
    if time.time() >= session_ends(auth):
        expire()
    email = auth["claims"].get("email", auth["claims"].get("sub"))
    with st.sidebar:
        with st.container(key="who"):
            st.markdown(f"Signed in as **`{email}`**")
        st.button("Refresh", key="refresh")
        st.button("Sign out", key="sign-out", on_click=sign_out, args=(oauth2,))
    st.title("Sales by city")

    aws = st.session_state.get("aws")
    if not aws or aws["credentials"]["Expiration"].timestamp() - time.time() < 60:
        try:
            aws = st.session_state.aws = identity_enhanced_credentials(cfg, auth["token"]["id_token"])
        except botocore.exceptions.ClientError as e:
            code = e.response.get("Error", {}).get("Code", "")
            if code in ("ExpiredTokenException", "InvalidIdentityToken", "ExpiredToken", "InvalidGrantException"):
                expire()
            st.error(f"AWS refused the sign-in ({code}): {e.response.get('Error', {}).get('Message', '')}")
            st.stop()

    with st.expander("Your AWS credentials (identity-enhanced)", expanded=False):
        with st.container(key="credentials"):
            c = aws["credentials"]
            st.markdown(
                f"- Identity Center user: **{aws['idc_email'] or email}**\n"
                f"- Role session: `{aws['role']}`\n"
                f"- Bridge role session: `{aws['bridge_role']}`\n"
                f"- Access key id: `{c['AccessKeyId']}` (the secret key and session token stay in the app's memory)\n"
                f"- Expires: {c['Expiration'].astimezone(timezone.utc):%Y-%m-%d %H:%M:%S} UTC\n"
                f"- Session ends: {datetime.fromtimestamp(session_ends(auth), timezone.utc):%H:%M:%S} UTC")

    try:
        df, query_id = sales_by_city(cfg, aws["credentials"])
    except NoAccess as e:
        with st.container(key="no-access"):
            st.warning(f"You are signed in as {email}, but you have no access to the sales data. "
                       f"Ask your administrator for a sales role. (Redshift: {e})")
        return
    except botocore.exceptions.ClientError as e:
        code = e.response.get("Error", {}).get("Code", "")
        if code in ("ExpiredTokenException", "ExpiredToken", "InvalidSignatureException", "UnrecognizedClientException"):
            expire()
        st.error(f"The Data API refused the query ({code}): {e.response.get('Error', {}).get('Message', '')}")
        return

    total = sum(df["sales"], Decimal("0.00"))
    with st.container(key="summary"):
        a, b, c = st.columns(3)
        a.metric("Total sales", f"{total:,.2f}")
        b.metric("Cities", len(df))
        c.metric("Countries", df["country"].nunique())
    chart = df.assign(lat=df["latitude"].astype(float), lon=df["longitude"].astype(float),
                      total=df["sales"].astype(float), label=df["sales"].map(lambda v: f"{v:,.2f}"))
    top = max(chart["total"].max(), 1.0) if len(chart) else 1.0
    chart["radius"] = 20000 + 280000 * (chart["total"] / top) ** 0.5
    st.pydeck_chart(pdk.Deck(
        layers=[pdk.Layer("ScatterplotLayer", data=chart[["city", "country", "lat", "lon", "total", "label", "radius"]],
                          get_position="[lon, lat]", get_radius="radius", get_fill_color=[0, 122, 204, 150],
                          pickable=True)],
        initial_view_state=pdk.ViewState(latitude=20, longitude=10, zoom=0.8),
        tooltip={"text": "{city}, {country}\nsales {label}"}), key="map")
    with st.container(key="cities"):
        st.caption(f"Total sales by city (Data API statement {query_id}), as the database shows them to {email}.")
        st.table(df[["city", "country", "sales"]].assign(sales=df["sales"].map(lambda v: f"{v:.2f}")).set_index("city"))


def main():
    st.set_page_config(page_title="Sales by city", page_icon=":bar_chart:", layout="wide")
    cfg = settings()
    issuer = f"https://{cfg['TIPGATE_OKTA_DOMAIN']}"
    oauth2 = OAuth2Component(
        cfg["TIPGATE_STREAMLIT_CLIENT_ID"], cfg["TIPGATE_STREAMLIT_CLIENT_SECRET"],
        authorize_endpoint=f"{issuer}/oauth2/v1/authorize", token_endpoint=f"{issuer}/oauth2/v1/token",
        refresh_token_endpoint=f"{issuer}/oauth2/v1/token", revoke_token_endpoint=f"{issuer}/oauth2/v1/revoke")
    if "auth" in st.session_state:
        signed_in_page(oauth2, cfg)
    else:
        sign_in_page(oauth2, cfg)


main()
