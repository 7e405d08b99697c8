package bus

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/regis-infra/terraform-provider-regis/internal/busdiscovery"
	"github.com/regis-infra/terraform-provider-regis/internal/conns"
	"github.com/regis-infra/terraform-provider-regis/internal/contract"
	"github.com/regis-infra/terraform-provider-regis/internal/regions"
)

// A bus is identified by what its owner controls: its name and its home
// region. Every object of the bus is named after it (internal/contract), so
// these two find them all, whatever is left of the bus (busdiscovery). The
// topic's ARN, which identified a bus until schema version 1, is lost with
// the topic.

// busIDSeparator separates the name and the home region in a bus id.
const busIDSeparator = "@"

// busIDExample is an id, for messages.
const busIDExample = "hotels" + busIDSeparator + regions.Example

// busID is the id of a bus: "<name>@<home_region>".
func busID(name, home string) string { return name + busIDSeparator + home }

// parseBusID reads a bus id, or the ARN of a bus's topic (the id of schema
// version 0, and what import also accepts), into the bus's name and home
// region. Its errors say what the id must look like.
func parseBusID(id string) (name, home string, err error) {
	forms := fmt.Sprintf("Give the bus's name and home region, %q (for example %q), or the ARN of its SNS topic "+
		"(for example \"arn:aws:sns:%s:123456789012:hotels\"), which works also when the topic no longer exists.",
		"<name>"+busIDSeparator+"<home_region>", busIDExample, regions.Example)
	if strings.HasPrefix(id, "arn:") {
		a, ok := parseARN(id)
		if !ok || a.Service != "sns" || a.Region == "" || a.Resource == "" || strings.Contains(a.Resource, ":") {
			return "", "", fmt.Errorf("%q is not an SNS topic ARN. %s", id, forms)
		}
		name, home = a.Resource, a.Region
	} else {
		var ok bool
		if name, home, ok = strings.Cut(id, busIDSeparator); !ok || name == "" || home == "" {
			return "", "", fmt.Errorf("%q is not a bus id. %s", id, forms)
		}
	}
	if !nameRE.MatchString(name) {
		return "", "", fmt.Errorf("%q: %q is not a bus name (letters, digits, hyphens and underscores). %s", id, name, forms)
	}
	if err := regions.Validate(home); err != nil {
		return "", "", fmt.Errorf("%q: the home region: %w. %s", id, err, forms)
	}
	return name, home, nil
}

// ImportState takes a bus id ("<name>@<home_region>") or the ARN of the
// bus's topic; Read then finds the bus's objects by name (busdiscovery),
// also when the topic is gone.
func (r *busResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	name, home, err := parseBusID(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Invalid import ID", err.Error())
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), busID(name, home))...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), name)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("home_region"), home)...)
}

// notFoundDetail explains an import that found nothing.
func notFoundDetail(name, home string) string {
	return fmt.Sprintf("No object of bus %q with home region %s exists: no SNS topic %s in %s, and no IAM role %s<region> "+
		"nor a subscribed queue that would name a region. Check the name and the home region of the import id (%q), "+
		"or, to create the bus, remove the import and run terraform apply.",
		name, home, contract.TopicName(name), home, contract.RoleName(name, ""), busIDSeparator)
}

// idsFromDiscovery are the ids of what discovery found in a region.
func idsFromDiscovery(r *busdiscovery.Region) *regionIDs {
	return &regionIDs{
		QueueURL: r.QueueURL, QueueARN: r.QueueARN, DLQURL: r.DLQURL, DLQARN: r.DLQARN,
		SubscriptionARN: r.SubscriptionARN, RoleName: r.RoleName, RoleARN: r.RoleARN,
		FunctionName: r.FunctionName, FunctionARN: r.FunctionARN, MappingUUID: r.MappingUUID,
		DLQAlarm: r.DLQAlarmName, AgeAlarm: r.AgeAlarmName,
	}
}

// discoveryClients hands the provider's clients to busdiscovery.
type discoveryClients struct {
	ctx context.Context
	c   *conns.AWSClient
}

func (d discoveryClients) SNS(region string) *sns.Client       { return d.c.SNS(d.ctx, region) }
func (d discoveryClients) SQS(region string) *sqs.Client       { return d.c.SQS(d.ctx, region) }
func (d discoveryClients) Lambda(region string) *lambda.Client { return d.c.Lambda(d.ctx, region) }
func (d discoveryClients) IAM() *iam.Client                    { return d.c.IAM(d.ctx) }
func (d discoveryClients) CloudWatch(region string) *cloudwatch.Client {
	return d.c.CloudWatch(d.ctx, region)
}

// ------------------------------------------------------------ state upgrade

// busSchemaVersion is the version of the regis_bus schema. Version 1 changed
// the id from the topic's ARN to busID; the attributes are the same.
const busSchemaVersion = 1

// UpgradeState upgrades the state of earlier schema versions.
func (r *busResource) UpgradeState(context.Context) map[int64]resource.StateUpgrader {
	return map[int64]resource.StateUpgrader{
		// The attributes of version 0 are those of version 1, so the state
		// is upgraded as JSON (no PriorSchema): only the id changes.
		0: {StateUpgrader: upgradeStateV0},
	}
}

// upgradeStateV0 rewrites a version 0 id (the topic ARN) as busID, from the
// name and home_region attributes, or from the ARN when they are missing.
func upgradeStateV0(_ context.Context, req resource.UpgradeStateRequest, resp *resource.UpgradeStateResponse) {
	if req.RawState == nil || len(req.RawState.JSON) == 0 {
		resp.Diagnostics.AddError("Cannot upgrade the regis_bus state", "The version 0 state has no JSON to upgrade.")
		return
	}
	var raw map[string]any
	if err := json.Unmarshal(req.RawState.JSON, &raw); err != nil {
		resp.Diagnostics.AddError("Cannot upgrade the regis_bus state", fmt.Sprintf("The version 0 state does not decode: %v.", err))
		return
	}
	name, _ := raw["name"].(string)
	home, _ := raw["home_region"].(string)
	if name == "" || home == "" {
		id, _ := raw["id"].(string)
		var err error
		if name, home, err = parseBusID(id); err != nil {
			resp.Diagnostics.AddError("Cannot upgrade the regis_bus state", "The version 0 state names no bus: "+err.Error())
			return
		}
	}
	raw["id"] = busID(name, home)
	b, err := json.Marshal(raw)
	if err != nil {
		resp.Diagnostics.AddError("Cannot upgrade the regis_bus state", err.Error())
		return
	}
	resp.DynamicValue = &tfprotov6.DynamicValue{JSON: b}
}
