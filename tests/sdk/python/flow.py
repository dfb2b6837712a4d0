"""The Redshift trusted identity propagation reference flow with boto3.

Exactly as an application written for AWS does it: nothing here knows about
tipgate. The endpoints come from boto3's standard settings
(AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL_SSO_OIDC,
AWS_ENDPOINT_URL_REDSHIFT_DATA, AWS_REGION), the names from the TIPGATE_*
variables of demo.env, the user's ID token from TIPGATE_ID_TOKEN.

Prints each result row as a JSON line on stdout ({"r": "Asia"}); on failure
prints "error: <AWS error name>" on stderr and exits 1.

TIPGATE_CREDENTIALS_FILE, when set, keeps the identity-enhanced credentials
across runs: an existing file's credentials are used as they are (steps 1-3
skipped), otherwise the new ones are written to it (0600), so a test can
watch an issued session follow changes to its user.

Run by internal/server/sdk_test.go; install with scripts/sdk-deps.sh.
"""

import base64
import json
import os
import sys
import time

import boto3
import botocore.exceptions

SQL = "SELECT DISTINCT split_part(timezone, '/', 1) AS r FROM sales_data"


class FlowError(Exception):
    def __init__(self, name, message):
        super().__init__(message)
        self.name = name


def env(name):
    v = os.environ.get(name)
    if not v:
        raise FlowError("MissingEnvironment", f"{name} is not set")
    return v


def keys(c):
    return {
        "aws_access_key_id": c["AccessKeyId"],
        "aws_secret_access_key": c["SecretAccessKey"],
        "aws_session_token": c["SessionToken"],
    }


def main():
    cred_file = os.environ.get("TIPGATE_CREDENTIALS_FILE")
    if cred_file and os.path.exists(cred_file):
        with open(cred_file) as f:
            creds = json.load(f)
    else:
        creds = enhanced_session()
        if cred_file:
            fd = os.open(cred_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                json.dump(creds, f)
    query(creds)


def enhanced_session():
    id_token = env("TIPGATE_ID_TOKEN")
    session = os.environ.get("TIPGATE_SESSION_NAME", "redshift-tip-python")

    # 1. The IdP's ID token for the bridge role (unsigned call).
    web = boto3.client("sts").assume_role_with_web_identity(
        RoleArn=env("TIPGATE_BRIDGE_ROLE_ARN"), RoleSessionName=session, WebIdentityToken=id_token
    )
    bridge = keys(web["Credentials"])

    # 2. The same ID token for an Identity Center token, signed by the bridge role.
    tok = boto3.client("sso-oidc", **bridge).create_token_with_iam(
        clientId=env("TIPGATE_APP_ARN"),
        grantType="urn:ietf:params:oauth:grant-type:jwt-bearer",
        assertion=id_token,
    )
    payload = tok["idToken"].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    identity_context = claims.get("sts:identity_context")
    if not identity_context:
        raise FlowError("MissingIdentityContext", "idToken has no sts:identity_context")

    # 3. The identity-enhanced session on the Data API client role.
    enhanced = boto3.client("sts", **bridge).assume_role(
        RoleArn=env("TIPGATE_CLIENT_ROLE_ARN"),
        RoleSessionName=session,
        ProvidedContexts=[
            {"ProviderArn": "arn:aws:iam::aws:contextProvider/IdentityCenter", "ContextAssertion": identity_context}
        ],
    )

    return keys(enhanced["Credentials"])


def query(creds):
    # 4. The Data API as the propagated user.
    data = boto3.client("redshift-data", **creds)
    ex = data.execute_statement(Sql=SQL, WorkgroupName=env("TIPGATE_WORKGROUP"), Database=env("TIPGATE_DATABASE"))
    print(f"statement {ex['Id']} runs as {ex.get('DbUser')}", file=sys.stderr)
    deadline = time.monotonic() + 60
    while True:
        ds = data.describe_statement(Id=ex["Id"])
        if ds["Status"] == "FINISHED":
            break
        if ds["Status"] in ("FAILED", "ABORTED"):
            raise FlowError("Statement" + ds["Status"], ds.get("Error", ds["Status"]))
        if time.monotonic() > deadline:
            raise FlowError("StatementTimeout", "statement did not finish")
        time.sleep(0.05)
    kwargs = {"Id": ex["Id"]}
    while True:
        res = data.get_statement_result(**kwargs)
        names = [c["name"] for c in res["ColumnMetadata"]]
        for rec in res["Records"]:
            row = {}
            for name, field in zip(names, rec):
                row[name] = None if field.get("isNull") else next(iter(field.values()), None)
            print(json.dumps(row), flush=True)
        if not res.get("NextToken"):
            break
        kwargs["NextToken"] = res["NextToken"]


if __name__ == "__main__":
    try:
        main()
    except botocore.exceptions.ClientError as e:
        print(str(e), file=sys.stderr)
        print(f"error: {e.response.get('Error', {}).get('Code', 'ClientError')}", file=sys.stderr)
        sys.exit(1)
    except FlowError as e:
        print(str(e), file=sys.stderr)
        print(f"error: {e.name}", file=sys.stderr)
        sys.exit(1)
    except botocore.exceptions.BotoCoreError as e:
        print(str(e), file=sys.stderr)
        print(f"error: {type(e).__name__}", file=sys.stderr)
        sys.exit(1)
