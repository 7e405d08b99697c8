package provider

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/regis-infra/terraform-provider-regis/internal/conns"
)

var (
	_ datasource.DataSource              = (*callerIdentityDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*callerIdentityDataSource)(nil)
)

// NewCallerIdentityDataSource is regis_caller_identity: who the provider
// acts as, from sts:GetCallerIdentity in the home region. It is the
// equivalent of aws_caller_identity and the quickest proof that
// Terraform → provider → endpoint works.
func NewCallerIdentityDataSource() datasource.DataSource {
	return &callerIdentityDataSource{}
}

type callerIdentityDataSource struct {
	client *conns.AWSClient
}

// CallerIdentityDataSourceModel is the data source's state.
type CallerIdentityDataSourceModel struct {
	ID        types.String `tfsdk:"id"`
	AccountID types.String `tfsdk:"account_id"`
	ARN       types.String `tfsdk:"arn"`
	UserID    types.String `tfsdk:"user_id"`
}

func (d *callerIdentityDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_caller_identity"
}

func (d *callerIdentityDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The identity the provider acts as: its account, ARN and user id, from `sts:GetCallerIdentity` in the provider's home region. " +
			"With `assume_role`, this is the assumed role session.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The account ID (as in `aws_caller_identity`).",
			},
			"account_id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "AWS account ID of the caller.",
			},
			"arn": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "ARN of the caller: an IAM user, or `arn:aws:sts::<account>:assumed-role/<role>/<session>` for a role session.",
			},
			"user_id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Unique identifier of the caller (the access key's user id, or `<role id>:<session name>`).",
			},
		},
	}
}

func (d *callerIdentityDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	c, err := conns.FromProviderData(req.ProviderData)
	if err != nil {
		resp.Diagnostics.AddError("Unexpected provider data", err.Error())
		return
	}
	d.client = c
}

func (d *callerIdentityDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	if d.client == nil {
		resp.Diagnostics.AddError("Provider not configured", conns.NotConfiguredDetail)
		return
	}
	out, err := d.client.STS(ctx, "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		resp.Diagnostics.AddError("Reading caller identity",
			"sts:GetCallerIdentity in "+d.client.HomeRegion+" failed: "+err.Error())
		return
	}
	state := CallerIdentityDataSourceModel{
		ID:        types.StringValue(aws.ToString(out.Account)),
		AccountID: types.StringValue(aws.ToString(out.Account)),
		ARN:       types.StringValue(aws.ToString(out.Arn)),
		UserID:    types.StringValue(aws.ToString(out.UserId)),
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}
