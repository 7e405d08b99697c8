package provider

import (
	"context"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/regis-infra/terraform-provider-regis/internal/conns"
	"github.com/regis-infra/terraform-provider-regis/internal/regions"
)

// The validators below wrap the checks of internal/conns so that plan-time
// and configure-time messages are the same. Each skips null, unknown and
// empty values: "" means "not set", as in the AWS provider.

// sessionNameRE is the character set of RoleSessionName.
var sessionNameRE = regexp.MustCompile(`^[\w+=,.@-]*$`)

var objectAsOptions = basetypes.ObjectAsOptions{UnhandledNullAsEmpty: true, UnhandledUnknownAsEmpty: true}

type valueState int

const (
	valueUnset   valueState = iota // null or ""
	valueUnknown                   // known only after apply
	valueSet
)

func stringState(v types.String) valueState {
	switch {
	case v.IsUnknown():
		return valueUnknown
	case v.IsNull() || v.ValueString() == "":
		return valueUnset
	}
	return valueSet
}

// checkString runs check on a set string value and reports its error.
func checkString(req validator.StringRequest, resp *validator.StringResponse, summary string, check func(string) error) {
	if stringState(req.ConfigValue) != valueSet {
		return
	}
	if err := check(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, summary, capitalize(err.Error())+".")
	}
}

// regionName validates an AWS region name.
type regionName struct{}

func (regionName) Description(context.Context) string {
	return "must be an AWS region name such as " + regions.Example
}
func (v regionName) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }
func (regionName) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	checkString(req, resp, "Invalid AWS region", regions.Validate)
}

// endpointURL validates a custom endpoint.
type endpointURL struct{}

func (endpointURL) Description(context.Context) string {
	return "must be an absolute http or https URL"
}
func (v endpointURL) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }
func (endpointURL) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if stringState(req.ConfigValue) != valueSet {
		return
	}
	at := req.Path.String() // endpoints.<service>
	if err := conns.ValidateEndpointURL(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid endpoint URL for "+at, at+": "+err.Error()+".")
	}
}

// roleARN validates assume_role.role_arn.
type roleARN struct{}

func (roleARN) Description(context.Context) string {
	return "must be an IAM role ARN such as " + conns.ExampleRoleARN
}
func (v roleARN) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }
func (roleARN) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	checkString(req, resp, "Invalid assume_role.role_arn", conns.ValidateRoleARN)
}

// assumeRoleDuration validates assume_role.duration.
type assumeRoleDuration struct{}

func (assumeRoleDuration) Description(context.Context) string {
	return "must be a duration between 15m and 12h, such as 1h"
}
func (v assumeRoleDuration) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}
func (assumeRoleDuration) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	checkString(req, resp, "Invalid assume_role.duration", func(s string) error {
		_, err := conns.ParseAssumeRoleDuration(s)
		return err
	})
}
