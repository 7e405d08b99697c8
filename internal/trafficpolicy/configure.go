package trafficpolicy

import (
	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/regis-infra/terraform-provider-regis/internal/conns"
)

// configureClient is the Configure of every resource and data source here.
func configureClient(data any, diags *diag.Diagnostics) *conns.AWSClient {
	c, err := conns.FromProviderData(data)
	if err != nil {
		diags.AddError("Unexpected provider data", err.Error())
		return nil
	}
	return c
}

// notConfigured reports a missing client.
func notConfigured(c *conns.AWSClient, diags *diag.Diagnostics) bool {
	if c == nil {
		diags.AddError("Provider not configured", conns.NotConfiguredDetail)
		return true
	}
	return false
}
