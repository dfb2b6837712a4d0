// The Redshift trusted identity propagation reference flow with the AWS SDK
// for JavaScript v3, exactly as an application written for AWS does it.
// Nothing here knows about tipgate: the endpoints come from the SDK's
// standard settings (AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL_SSO_OIDC,
// AWS_ENDPOINT_URL_REDSHIFT_DATA, AWS_REGION), the names from the
// TIPGATE_* variables of demo.env, the user's ID token from TIPGATE_ID_TOKEN.
//
// Prints each result row as a JSON line on stdout ({"r":"Asia"}); on failure
// prints "error: <AWS error name>" on stderr and exits 1.
//
// TIPGATE_CREDENTIALS_FILE, when set, keeps the identity-enhanced
// credentials across runs: an existing file's credentials are used as they
// are (steps 1-3 skipped), otherwise the new ones are written to it (0600),
// so a test can watch an issued session follow changes to its user.
//
// Run by internal/server/sdk_test.go; install with scripts/sdk-deps.sh.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { STSClient, AssumeRoleWithWebIdentityCommand, AssumeRoleCommand } from "@aws-sdk/client-sts";
import { SSOOIDCClient, CreateTokenWithIAMCommand } from "@aws-sdk/client-sso-oidc";
import {
  RedshiftDataClient,
  ExecuteStatementCommand,
  DescribeStatementCommand,
  GetStatementResultCommand,
} from "@aws-sdk/client-redshift-data";

const SQL = "SELECT DISTINCT split_part(timezone, '/', 1) AS r FROM sales_data";

function env(name) {
  const v = process.env[name];
  if (!v) throw Object.assign(new Error(`${name} is not set`), { name: "MissingEnvironment" });
  return v;
}

const asCredentials = (c) => ({
  accessKeyId: c.AccessKeyId,
  secretAccessKey: c.SecretAccessKey,
  sessionToken: c.SessionToken,
  expiration: c.Expiration,
});

async function main() {
  const credFile = process.env.TIPGATE_CREDENTIALS_FILE;
  const enhanced = credFile && existsSync(credFile) ? JSON.parse(readFileSync(credFile, "utf8")) : await enhancedSession();
  if (credFile && !existsSync(credFile)) writeFileSync(credFile, JSON.stringify(enhanced), { mode: 0o600 });
  await query(enhanced);
}

async function enhancedSession() {
  const idToken = env("TIPGATE_ID_TOKEN");
  const session = process.env.TIPGATE_SESSION_NAME || "redshift-tip-js";

  // 1. The IdP's ID token for the bridge role (unsigned call).
  const web = await new STSClient({}).send(
    new AssumeRoleWithWebIdentityCommand({
      RoleArn: env("TIPGATE_BRIDGE_ROLE_ARN"),
      RoleSessionName: session,
      WebIdentityToken: idToken,
    }),
  );
  const bridge = asCredentials(web.Credentials);

  // 2. The same ID token for an Identity Center token, signed by the bridge role.
  const tok = await new SSOOIDCClient({ credentials: bridge }).send(
    new CreateTokenWithIAMCommand({
      clientId: env("TIPGATE_APP_ARN"),
      grantType: "urn:ietf:params:oauth:grant-type:jwt-bearer",
      assertion: idToken,
    }),
  );
  const claims = JSON.parse(Buffer.from(tok.idToken.split(".")[1], "base64url").toString("utf8"));
  const identityContext = claims["sts:identity_context"];
  if (!identityContext) throw Object.assign(new Error("idToken has no sts:identity_context"), { name: "MissingIdentityContext" });

  // 3. The identity-enhanced session on the Data API client role.
  const enhanced = await new STSClient({ credentials: bridge }).send(
    new AssumeRoleCommand({
      RoleArn: env("TIPGATE_CLIENT_ROLE_ARN"),
      RoleSessionName: session,
      ProvidedContexts: [
        { ProviderArn: "arn:aws:iam::aws:contextProvider/IdentityCenter", ContextAssertion: identityContext },
      ],
    }),
  );

  return { Credentials: { AccessKeyId: enhanced.Credentials.AccessKeyId, SecretAccessKey: enhanced.Credentials.SecretAccessKey,
    SessionToken: enhanced.Credentials.SessionToken } };
}

async function query(enhanced) {
  // 4. The Data API as the propagated user.
  const data = new RedshiftDataClient({ credentials: asCredentials(enhanced.Credentials) });
  const ex = await data.send(
    new ExecuteStatementCommand({ Sql: SQL, WorkgroupName: env("TIPGATE_WORKGROUP"), Database: env("TIPGATE_DATABASE") }),
  );
  process.stderr.write(`statement ${ex.Id} runs as ${ex.DbUser}\n`);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ds = await data.send(new DescribeStatementCommand({ Id: ex.Id }));
    if (ds.Status === "FINISHED") break;
    if (ds.Status === "FAILED" || ds.Status === "ABORTED") {
      throw Object.assign(new Error(ds.Error || ds.Status), { name: `Statement${ds.Status}` });
    }
    if (Date.now() > deadline) throw Object.assign(new Error("statement did not finish"), { name: "StatementTimeout" });
    await new Promise((r) => setTimeout(r, 50));
  }
  let nextToken;
  do {
    const res = await data.send(new GetStatementResultCommand({ Id: ex.Id, NextToken: nextToken }));
    const names = res.ColumnMetadata.map((c) => c.name);
    for (const rec of res.Records) {
      const row = {};
      rec.forEach((f, i) => {
        row[names[i]] = f.isNull ? null : (f.stringValue ?? f.longValue ?? f.doubleValue ?? f.booleanValue ?? null);
      });
      process.stdout.write(JSON.stringify(row) + "\n");
    }
    nextToken = res.NextToken;
  } while (nextToken);
}

main().catch((err) => {
  process.stderr.write(`${err.message}\n`);
  process.stderr.write(`error: ${err.name || "Error"}\n`);
  process.exit(1);
});
