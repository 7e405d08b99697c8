// Package provider is the regis Terraform provider: its configuration schema
// (in the vocabulary of the hashicorp/aws provider), its validation and the
// list of resources and data sources it serves.
package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/regis-infra/terraform-provider-regis/internal/bus"
	"github.com/regis-infra/terraform-provider-regis/internal/conns"
	"github.com/regis-infra/terraform-provider-regis/internal/regions"
	"github.com/regis-infra/terraform-provider-regis/internal/trafficpolicy"
)

// TypeName is the provider's name in Terraform: resources are regis_*.
const TypeName = "regis"

// =============================================================================
// Registration: every resource and data source of the provider.
//
// Packages add their constructors here (internal/bus: regis_bus,
// regis_bus_status; internal/trafficpolicy: regis_traffic_policy_*,
// regis_health_check). Each receives the provider's *conns.AWSClient as
// ProviderData in its Configure (see conns.FromProviderData). Keep the lists
// sorted by type name within each package's group.
// =============================================================================

// resources lists the provider's resource types.
func (p *regisProvider) resources() []func() resource.Resource {
	return []func() resource.Resource{
		// internal/bus
		func() resource.Resource { return bus.NewBusResource(p.consumerZips) },

		// internal/trafficpolicy
		trafficpolicy.NewHealthCheckResource,
		trafficpolicy.NewTrafficPolicyResource,
		trafficpolicy.NewTrafficPolicyRecordResource,
		trafficpolicy.NewTrafficPolicyVersionResource,
	}
}

// dataSources lists the provider's data source types.
var dataSources = []func() datasource.DataSource{
	// internal/provider
	NewCallerIdentityDataSource,

	// internal/bus
	bus.NewBusStatusDataSource,

	// internal/trafficpolicy
	trafficpolicy.NewTrafficPolicyDocumentDataSource,
}

// =============================================================================

var (
	_ provider.Provider                   = (*regisProvider)(nil)
	_ provider.ProviderWithValidateConfig = (*regisProvider)(nil)
)

type regisProvider struct {
	version string
	// consumerZips are the consumer packages regis_bus deploys; nil: the
	// zips embedded in the provider.
	consumerZips bus.ZipSource
}

// Option changes the provider New builds. The released provider takes none:
// options exist for tests, which serve the provider in-process.
type Option func(*regisProvider)

// WithConsumerZips makes regis_bus deploy the consumer packages of zips
// instead of those embedded at build time: the acceptance tests give freshly
// built ones (a test binary embeds whatever existed when it was compiled).
func WithConsumerZips(zips bus.ZipSource) Option {
	return func(p *regisProvider) { p.consumerZips = zips }
}

// New returns the provider constructor for providerserver, with the version
// set at build time ("dev" in local builds, "test" in tests).
func New(version string, opts ...Option) func() provider.Provider {
	return func() provider.Provider {
		p := &regisProvider{version: version}
		for _, o := range opts {
			o(p)
		}
		return p
	}
}

func (p *regisProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = TypeName
	resp.Version = p.version
}

// regisProviderModel is the provider block.
type regisProviderModel struct {
	Region                    types.String `tfsdk:"region"`
	Profile                   types.String `tfsdk:"profile"`
	SharedConfigFiles         types.List   `tfsdk:"shared_config_files"`
	SharedCredentialsFiles    types.List   `tfsdk:"shared_credentials_files"`
	AccessKey                 types.String `tfsdk:"access_key"`
	SecretKey                 types.String `tfsdk:"secret_key"`
	Token                     types.String `tfsdk:"token"`
	AssumeRole                types.List   `tfsdk:"assume_role"`
	Endpoints                 types.Object `tfsdk:"endpoints"`
	SkipCredentialsValidation types.Bool   `tfsdk:"skip_credentials_validation"`
	SkipRequestingAccountID   types.Bool   `tfsdk:"skip_requesting_account_id"`
	MaxRetries                types.Int64  `tfsdk:"max_retries"`
	DefaultTags               types.Object `tfsdk:"default_tags"`
}

// assumeRoleModel is the assume_role block.
type assumeRoleModel struct {
	RoleARN     types.String `tfsdk:"role_arn"`
	SessionName types.String `tfsdk:"session_name"`
	ExternalID  types.String `tfsdk:"external_id"`
	Duration    types.String `tfsdk:"duration"`
}

// defaultTagsModel is the default_tags block.
type defaultTagsModel struct {
	Tags types.Map `tfsdk:"tags"`
}

func (p *regisProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	endpoints := map[string]schema.Attribute{}
	for _, s := range conns.Services {
		endpoints[s.Key] = schema.StringAttribute{
			Optional: true,
			MarkdownDescription: fmt.Sprintf("Custom endpoint URL for %s, for example `http://localhost:4566`. Takes precedence over the `%s` and `AWS_ENDPOINT_URL` environment variables.",
				s.SDKID, s.EnvVar()),
			Validators: []validator.String{endpointURL{}},
		}
	}

	resp.Schema = schema.Schema{
		MarkdownDescription: "The regis provider deploys a multi-region Redis replication bus (SNS → SQS → Lambda) and Route 53 Traffic Flow policies on AWS. " +
			"It is configured like the `hashicorp/aws` provider: the same arguments, environment variables and shared configuration files.",
		Attributes: map[string]schema.Attribute{
			"region": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Home region: where STS is called and where resources without a `region` of their own are created, for example `" + regions.Example + "`. " +
					"Can also be set with the `AWS_REGION` or `AWS_DEFAULT_REGION` environment variables, or `region` in the shared config profile.",
				Validators: []validator.String{regionName{}},
			},
			"profile": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Profile of the shared configuration and credentials files. Can also be set with the `AWS_PROFILE` environment variable.",
			},
			"shared_config_files": schema.ListAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				MarkdownDescription: "Paths of the shared config files. Default: `[\"~/.aws/config\"]`, or `AWS_CONFIG_FILE`.",
				Validators:          []validator.List{listvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1))},
			},
			"shared_credentials_files": schema.ListAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				MarkdownDescription: "Paths of the shared credentials files. Default: `[\"~/.aws/credentials\"]`, or `AWS_SHARED_CREDENTIALS_FILE`.",
				Validators:          []validator.List{listvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1))},
			},
			"access_key": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "AWS access key id. Requires `secret_key`. Can also be set with the `AWS_ACCESS_KEY_ID` environment variable or a profile.",
			},
			"secret_key": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "AWS secret access key. Requires `access_key`. Can also be set with the `AWS_SECRET_ACCESS_KEY` environment variable or a profile.",
			},
			"token": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "Session token of temporary credentials, with `access_key` and `secret_key`. Can also be set with the `AWS_SESSION_TOKEN` environment variable.",
			},
			"skip_credentials_validation": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Skip checking the credentials with `sts:GetCallerIdentity` (and `sts:AssumeRole`) when the provider is configured. " +
					"For endpoints without STS. Unlike the AWS provider, a failure to then read the account ID is a warning, not an error.",
			},
			"skip_requesting_account_id": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "Do not ask STS for the account ID. Resources that build ARNs from it then cannot.",
			},
			"max_retries": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("Maximum number of attempts of an API call that AWS throttles or that fails transiently, with exponential backoff between attempts; `1` disables retries. "+
					"As in the AWS provider, the value is the SDK's maximum number of attempts. Default: `AWS_MAX_ATTEMPTS` or `max_attempts` in the shared config, else `%d` (the AWS provider's default).", conns.DefaultMaxRetries),
				Validators: []validator.Int64{int64validator.AtLeast(1)},
			},
		},
		Blocks: map[string]schema.Block{
			// A list of at most one block, as in the AWS provider: unlike a
			// single nested block, an absent list block is null, so an
			// empty assume_role {} can be told from no block at all.
			"assume_role": schema.ListNestedBlock{
				MarkdownDescription: "IAM role to assume with the credentials configured above; every API call is then made as that role. At most one block.",
				Validators:          []validator.List{listvalidator.SizeAtMost(1)},
				NestedObject: schema.NestedBlockObject{Attributes: map[string]schema.Attribute{
					// Required in the block, checked by ValidateConfig
					// for a message that says what to write.
					"role_arn": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "ARN of the IAM role to assume, for example `" + conns.ExampleRoleARN + "`. Required in an `assume_role` block.",
						Validators:          []validator.String{roleARN{}},
					},
					"session_name": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "Name of the role session, as shown in CloudTrail. Default: chosen by the SDK.",
						Validators: []validator.String{
							stringvalidator.LengthBetween(2, 64),
							stringvalidator.RegexMatches(sessionNameRE, "must contain only letters, digits and the characters =,.@-_"),
						},
					},
					"external_id": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "External ID the role's trust policy requires, if any.",
						Validators: []validator.String{
							stringvalidator.LengthBetween(2, 1224),
						},
					},
					"duration": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "Duration of the role session as a Go duration string between `15m` and `12h`, for example `1h` or `1h30m`. Default: `1h`.",
						Validators:          []validator.String{assumeRoleDuration{}},
					},
				}},
			},
			"endpoints": schema.SingleNestedBlock{
				MarkdownDescription: "Custom endpoint URLs per service, for LocalStack, moto or the regis emulator. " +
					"Precedence: this block, then `AWS_ENDPOINT_URL_<SERVICE>`, then `AWS_ENDPOINT_URL`, then the AWS default.",
				Attributes: endpoints,
			},
			"default_tags": schema.SingleNestedBlock{
				MarkdownDescription: "Tags applied to every taggable resource of the provider. A resource's own tags win over default tags with the same key.",
				Attributes: map[string]schema.Attribute{
					"tags": schema.MapAttribute{
						ElementType:         types.StringType,
						Optional:            true,
						MarkdownDescription: "Tags to apply by default.",
					},
				},
			},
		},
	}
}

// ValidateConfig checks combinations of arguments at plan time. Single
// values are checked by their attribute validators. Unknown values (known
// only after apply) are never an error here.
func (p *regisProvider) ValidateConfig(ctx context.Context, req provider.ValidateConfigRequest, resp *provider.ValidateConfigResponse) {
	var m regisProviderModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}

	// Static credentials come in pairs.
	ak, sk, tok := stringState(m.AccessKey), stringState(m.SecretKey), stringState(m.Token)
	switch {
	case ak == valueSet && sk == valueUnset:
		resp.Diagnostics.AddAttributeError(path.Root("access_key"), "Incomplete static credentials", conns.StaticKeysDetail("access_key", "secret_key"))
	case sk == valueSet && ak == valueUnset:
		resp.Diagnostics.AddAttributeError(path.Root("secret_key"), "Incomplete static credentials", conns.StaticKeysDetail("secret_key", "access_key"))
	case tok == valueSet && ak == valueUnset:
		resp.Diagnostics.AddAttributeError(path.Root("token"), "Incomplete static credentials", conns.TokenDetail)
	}

	// An assume_role block needs role_arn. Terraform enforces the schema's
	// Required first; this repeats it for callers that skip core validation.
	if !m.AssumeRole.IsNull() && !m.AssumeRole.IsUnknown() {
		for i, e := range m.AssumeRole.Elements() {
			obj, ok := e.(types.Object)
			if !ok || obj.IsNull() || obj.IsUnknown() {
				continue
			}
			var ar assumeRoleModel
			resp.Diagnostics.Append(obj.As(ctx, &ar, objectAsOptions)...)
			if stringState(ar.RoleARN) == valueUnset {
				resp.Diagnostics.AddAttributeError(path.Root("assume_role").AtListIndex(i).AtName("role_arn"), "Missing role_arn in assume_role", conns.AssumeRoleMissingARNDetail)
			}
		}
	}

	// Default tag keys and values.
	if !m.DefaultTags.IsNull() && !m.DefaultTags.IsUnknown() {
		var dt defaultTagsModel
		resp.Diagnostics.Append(m.DefaultTags.As(ctx, &dt, objectAsOptions)...)
		if !dt.Tags.IsNull() && !dt.Tags.IsUnknown() {
			keys := make([]string, 0, len(dt.Tags.Elements()))
			for k := range dt.Tags.Elements() {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				at := path.Root("default_tags").AtName("tags").AtMapKey(k)
				if err := conns.ValidateTagKey(k); err != nil {
					resp.Diagnostics.AddAttributeError(at, "Invalid default tag", capitalize(err.Error())+".")
					continue
				}
				if v, ok := dt.Tags.Elements()[k].(types.String); ok && !v.IsUnknown() && !v.IsNull() {
					if err := conns.ValidateTagValue(k, v.ValueString()); err != nil {
						resp.Diagnostics.AddAttributeError(at, "Invalid default tag", capitalize(err.Error())+".")
					}
				}
			}
		}
	}
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
