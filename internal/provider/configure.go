package provider

import (
	"context"
	"errors"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/regis-infra/terraform-provider-regis/internal/conns"
)

// Configure builds the *conns.AWSClient every resource and data source
// receives. While the configuration has values known only after apply
// (during plan), it defers where Terraform allows it and otherwise leaves
// the client unset without error; resources then report
// conns.NotConfiguredDetail if they need AWS before apply.
func (p *regisProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	if !req.Config.Raw.IsFullyKnown() {
		tflog.Info(ctx, "provider configuration has unknown values; not configuring the AWS client until they are known")
		if req.ClientCapabilities.DeferralAllowed {
			resp.Deferred = &provider.Deferred{Reason: provider.DeferredReasonProviderConfigUnknown}
		}
		return
	}

	var m regisProviderModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	cfg, diags := m.connsConfig(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	cfg.ProviderVersion = p.version
	cfg.TerraformVersion = req.TerraformVersion

	client, warnings, err := conns.New(ctx, cfg)
	for _, w := range warnings {
		resp.Diagnostics.AddWarning(w.Summary, w.Detail)
	}
	if err != nil {
		addConnsError(&resp.Diagnostics, err)
		return
	}
	tflog.Info(ctx, "configured AWS client", map[string]any{
		"home_region": client.HomeRegion, "account_id": client.AccountID, "partition": client.Partition,
	})
	resp.ResourceData = client
	resp.DataSourceData = client
	resp.EphemeralResourceData = client
}

// connsConfig converts the (fully known) provider block.
func (m regisProviderModel) connsConfig(ctx context.Context) (conns.Config, diag.Diagnostics) {
	var diags diag.Diagnostics
	cfg := conns.Config{
		Region:                    m.Region.ValueString(),
		Profile:                   m.Profile.ValueString(),
		AccessKey:                 m.AccessKey.ValueString(),
		SecretKey:                 m.SecretKey.ValueString(),
		Token:                     m.Token.ValueString(),
		SkipCredentialsValidation: m.SkipCredentialsValidation.ValueBool(),
		SkipRequestingAccountID:   m.SkipRequestingAccountID.ValueBool(),
		MaxRetries:                int(m.MaxRetries.ValueInt64()),
	}
	diags.Append(m.SharedConfigFiles.ElementsAs(ctx, &cfg.SharedConfigFiles, false)...)
	diags.Append(m.SharedCredentialsFiles.ElementsAs(ctx, &cfg.SharedCredentialsFiles, false)...)

	var roles []assumeRoleModel
	diags.Append(m.AssumeRole.ElementsAs(ctx, &roles, false)...)
	if len(roles) > 0 {
		ar := roles[0]
		cfg.AssumeRole = &conns.AssumeRole{
			RoleARN:     ar.RoleARN.ValueString(),
			SessionName: ar.SessionName.ValueString(),
			ExternalID:  ar.ExternalID.ValueString(),
		}
		if s := ar.Duration.ValueString(); s != "" {
			d, err := conns.ParseAssumeRoleDuration(s)
			if err != nil {
				diags.AddAttributeError(path.Root("assume_role").AtListIndex(0).AtName("duration"), "Invalid assume_role.duration", capitalize(err.Error())+".")
			}
			cfg.AssumeRole.Duration = d
		}
	}

	if !m.Endpoints.IsNull() {
		cfg.Endpoints = map[string]string{}
		for key, v := range m.Endpoints.Attributes() {
			if s, ok := v.(types.String); ok && s.ValueString() != "" {
				cfg.Endpoints[key] = s.ValueString()
			}
		}
	}

	if !m.DefaultTags.IsNull() {
		var dt defaultTagsModel
		diags.Append(m.DefaultTags.As(ctx, &dt, objectAsOptions)...)
		diags.Append(dt.Tags.ElementsAs(ctx, &cfg.DefaultTags, false)...)
	}
	return cfg, diags
}

// addConnsError reports an error of conns.New, on the argument at fault
// when there is one.
func addConnsError(diags *diag.Diagnostics, err error) {
	var e *conns.Error
	if !errors.As(err, &e) {
		diags.AddError("Cannot configure the regis provider", err.Error())
		return
	}
	if e.Attribute == "" {
		diags.AddError(e.Summary, e.Detail)
		return
	}
	var p path.Path
	for i, part := range strings.Split(e.Attribute, ".") {
		if i == 0 {
			p = path.Root(part)
			if part == "assume_role" {
				p = p.AtListIndex(0) // a list of one block
			}
		} else {
			p = p.AtName(part)
		}
	}
	diags.AddAttributeError(p, e.Summary, e.Detail)
}

func (p *regisProvider) Resources(context.Context) []func() resource.Resource {
	return p.resources()
}

func (p *regisProvider) DataSources(context.Context) []func() datasource.DataSource {
	return dataSources
}
