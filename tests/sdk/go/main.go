// Command flow is the Redshift trusted identity propagation reference flow
// with the AWS SDK for Go v2, exactly as an application written for AWS
// does it. aws-sdk-go-v2 reads no endpoint variables by itself without its
// config module, so the program passes the standard ones
// (AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL_SSO_OIDC,
// AWS_ENDPOINT_URL_REDSHIFT_DATA, AWS_REGION) as BaseEndpoint and Region;
// the names come from the TIPGATE_* variables of demo.env, the user's ID
// token from TIPGATE_ID_TOKEN.
//
// TIPGATE_CREDENTIALS_FILE, when set, keeps the identity-enhanced
// credentials across runs: an existing file's credentials are used as they
// are (steps 1-3 skipped), otherwise the new ones are written to it (0600),
// so a test can watch an issued session follow changes to its user.
//
// Prints each result row as a JSON line on stdout ({"r": "Asia"}); on
// failure prints "error: <AWS error name>" on stderr and exits 1.
//
// Run by internal/server/sdk_test.go; docs/redshift-developers.md shows it.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/redshiftdata"
	rstypes "github.com/aws/aws-sdk-go-v2/service/redshiftdata/types"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
)

const sqlText = "SELECT DISTINCT split_part(timezone, '/', 1) AS r FROM sales_data"

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		name := "Error"
		var ae smithy.APIError
		var fe flowError
		switch {
		case errors.As(err, &ae):
			name = ae.ErrorCode()
		case errors.As(err, &fe):
			name = fe.name
		}
		fmt.Fprintln(os.Stderr, "error: "+name)
		os.Exit(1)
	}
}

type flowError struct{ name, msg string }

func (e flowError) Error() string { return e.msg }

func env(name string) (string, error) {
	if v := os.Getenv(name); v != "" {
		return v, nil
	}
	return "", flowError{"MissingEnvironment", name + " is not set"}
}

func keys(c *ststypes.Credentials) aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
}

func run(ctx context.Context) error {
	var missing []error
	get := func(name string) string {
		v, err := env(name)
		missing = append(missing, err)
		return v
	}
	idToken, region := get("TIPGATE_ID_TOKEN"), get("AWS_REGION")
	stsURL, oidcURL, dataURL := get("AWS_ENDPOINT_URL_STS"), get("AWS_ENDPOINT_URL_SSO_OIDC"), get("AWS_ENDPOINT_URL_REDSHIFT_DATA")
	bridgeRole, clientRole, app := get("TIPGATE_BRIDGE_ROLE_ARN"), get("TIPGATE_CLIENT_ROLE_ARN"), get("TIPGATE_APP_ARN")
	workgroup, database := get("TIPGATE_WORKGROUP"), get("TIPGATE_DATABASE")
	if err := errors.Join(missing...); err != nil {
		return err
	}

	var enhanced aws.CredentialsProvider
	credFile := os.Getenv("TIPGATE_CREDENTIALS_FILE")
	if b, err := os.ReadFile(credFile); credFile != "" && err == nil {
		var c struct{ AccessKeyId, SecretAccessKey, SessionToken string }
		if err := json.Unmarshal(b, &c); err != nil {
			return err
		}
		enhanced = credentials.NewStaticCredentialsProvider(c.AccessKeyId, c.SecretAccessKey, c.SessionToken)
	} else {
		c, err := enhancedSession(ctx, region, stsURL, oidcURL, idToken, bridgeRole, clientRole, app)
		if err != nil {
			return err
		}
		if credFile != "" {
			b, _ := json.Marshal(map[string]string{"AccessKeyId": aws.ToString(c.AccessKeyId), "SecretAccessKey": aws.ToString(c.SecretAccessKey), "SessionToken": aws.ToString(c.SessionToken)})
			if err := os.WriteFile(credFile, b, 0o600); err != nil {
				return err
			}
		}
		enhanced = keys(c)
	}
	return query(ctx, region, dataURL, workgroup, database, enhanced)
}

// enhancedSession is steps 1-3: the identity-enhanced credentials.
func enhancedSession(ctx context.Context, region, stsURL, oidcURL, idToken, bridgeRole, clientRole, app string) (*ststypes.Credentials, error) {
	// 1. The IdP's ID token for the bridge role (unsigned call).
	anon := sts.New(sts.Options{Region: region, BaseEndpoint: aws.String(stsURL)})
	web, err := anon.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{
		RoleArn: aws.String(bridgeRole), RoleSessionName: aws.String("redshift-tip-go"), WebIdentityToken: aws.String(idToken)})
	if err != nil {
		return nil, err
	}
	bridge := keys(web.Credentials)

	// 2. The same ID token for an Identity Center token, signed by the bridge role.
	oidc := ssooidc.New(ssooidc.Options{Region: region, BaseEndpoint: aws.String(oidcURL), Credentials: bridge})
	tok, err := oidc.CreateTokenWithIAM(ctx, &ssooidc.CreateTokenWithIAMInput{ClientId: aws.String(app),
		GrantType: aws.String("urn:ietf:params:oauth:grant-type:jwt-bearer"), Assertion: aws.String(idToken)})
	if err != nil {
		return nil, err
	}
	if tok.AwsAdditionalDetails == nil || tok.AwsAdditionalDetails.IdentityContext == nil {
		return nil, flowError{"NoIdentityContext", "CreateTokenWithIAM returned no identity context"}
	}

	// 3. The identity-enhanced session: the client role with the user's context.
	signed := sts.New(sts.Options{Region: region, BaseEndpoint: aws.String(stsURL), Credentials: bridge})
	enh, err := signed.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(clientRole), RoleSessionName: aws.String("redshift-tip-go"),
		ProvidedContexts: []ststypes.ProvidedContext{{ProviderArn: aws.String("arn:aws:iam::aws:contextProvider/IdentityCenter"),
			ContextAssertion: tok.AwsAdditionalDetails.IdentityContext}}})
	if err != nil {
		return nil, err
	}
	return enh.Credentials, nil
}

// query is step 4: the Data API as the user, whose policies decide what
// the statement sees.
func query(ctx context.Context, region, dataURL, workgroup, database string, creds aws.CredentialsProvider) error {
	data := redshiftdata.New(redshiftdata.Options{Region: region, BaseEndpoint: aws.String(dataURL), Credentials: creds})
	ex, err := data.ExecuteStatement(ctx, &redshiftdata.ExecuteStatementInput{Sql: aws.String(sqlText),
		WorkgroupName: aws.String(workgroup), Database: aws.String(database)})
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "statement %s runs as %s\n", aws.ToString(ex.Id), aws.ToString(ex.DbUser))
	for {
		ds, err := data.DescribeStatement(ctx, &redshiftdata.DescribeStatementInput{Id: ex.Id})
		if err != nil {
			return err
		}
		if ds.Status == rstypes.StatusStringFinished {
			break
		}
		if ds.Status == rstypes.StatusStringFailed || ds.Status == rstypes.StatusStringAborted {
			return flowError{"Statement" + string(ds.Status), aws.ToString(ds.Error)}
		}
		time.Sleep(50 * time.Millisecond)
	}
	var next *string
	for {
		res, err := data.GetStatementResult(ctx, &redshiftdata.GetStatementResultInput{Id: ex.Id, NextToken: next})
		if err != nil {
			return err
		}
		for _, rec := range res.Records {
			row := map[string]any{}
			for i, f := range rec {
				row[aws.ToString(res.ColumnMetadata[i].Name)] = fieldValue(f)
			}
			b, err := json.Marshal(row)
			if err != nil {
				return err
			}
			fmt.Println(string(b))
		}
		if res.NextToken == nil {
			return nil
		}
		next = res.NextToken
	}
}

func fieldValue(f rstypes.Field) any {
	switch v := f.(type) {
	case *rstypes.FieldMemberStringValue:
		return v.Value
	case *rstypes.FieldMemberLongValue:
		return v.Value
	case *rstypes.FieldMemberDoubleValue:
		return v.Value
	case *rstypes.FieldMemberBooleanValue:
		return v.Value
	case *rstypes.FieldMemberBlobValue:
		return v.Value
	}
	return nil
}
