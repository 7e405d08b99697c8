package conns

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
)

// Error is a configuration problem, worded for the person who wrote the
// provider block: Summary says what is wrong, Detail what to change.
type Error struct {
	Summary string
	Detail  string
	// Attribute is the provider argument at fault, as a dotted path
	// ("region", "assume_role.role_arn"), or empty.
	Attribute string
	// Err is the underlying error, if any.
	Err error
}

func (e *Error) Error() string { return e.Summary + ": " + e.Detail }

func (e *Error) Unwrap() error { return e.Err }

// Warning is a non-fatal configuration problem.
type Warning struct {
	Summary string
	Detail  string
}

// sourceProviderConfig is the aws.Credentials.Source of the provider's
// access_key/secret_key/token arguments.
const sourceProviderConfig = "RegisProviderConfig"

// describeSource says in words where credentials came from, from the Source
// the SDK's providers put in aws.Credentials.
func describeSource(src, profile string) string {
	switch {
	case src == sourceProviderConfig:
		return "the provider's access_key and secret_key arguments"
	case src == config.CredentialsSourceName:
		return "the environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
	case strings.HasPrefix(src, "SharedConfigCredentials"):
		file := strings.TrimSpace(strings.TrimPrefix(src, "SharedConfigCredentials:"))
		if profile == "" {
			profile = "default"
		}
		if file == "" {
			return fmt.Sprintf("the shared credentials (profile %q)", profile)
		}
		return fmt.Sprintf("the shared credentials file %s (profile %q)", file, profile)
	case src == credentials.StaticCredentialsName:
		return "static credentials"
	case src == stscreds.ProviderName:
		return "an assumed role session"
	case src == stscreds.WebIdentityProviderName:
		return "web identity federation (AWS_WEB_IDENTITY_TOKEN_FILE / AWS_ROLE_ARN)"
	case src == "":
		return "an unnamed credential source"
	default:
		return "the SDK credential provider " + src
	}
}

// describeKey names an access key and its source for error messages. Access
// key ids are not secret (they appear in CloudTrail and the IAM console) and
// the id is what a person needs to find the key.
func describeKey(creds aws.Credentials, profile string) string {
	if creds.AccessKeyID == "" {
		return "credentials from " + describeSource(creds.Source, profile)
	}
	return fmt.Sprintf("access key %s from %s", creds.AccessKeyID, describeSource(creds.Source, profile))
}

// credentialAdvice is what to do about an STS error code.
func credentialAdvice(code string) string {
	switch code {
	case "InvalidClientTokenId", "UnrecognizedClientException":
		return "The access key does not exist, was deleted or deactivated, or belongs to another partition or endpoint. Check the key id, or use another credential source."
	case "SignatureDoesNotMatch":
		return "The secret access key does not belong to the access key id. Check secret_key (or AWS_SECRET_ACCESS_KEY, or the shared credentials file)."
	case "ExpiredToken", "ExpiredTokenException", "RequestExpired":
		return "The session token has expired. Refresh the temporary credentials (for example `aws sso login`) and run Terraform again."
	case "AccessDenied", "AccessDeniedException":
		return "The caller is not allowed to do this. Check the IAM policies of the caller and, for assume_role, the role's trust policy and external_id."
	case "MissingAuthenticationToken":
		return "The request was not signed. Check that credentials are configured."
	}
	return ""
}
