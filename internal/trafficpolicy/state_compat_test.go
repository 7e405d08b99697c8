package trafficpolicy_test

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/regis-infra/terraform-provider-regis/internal/acctest"
)

// stateWithBlockLists is the state of a regis_traffic_policy_version as the
// provider wrote it while endpoint and rule were lists of blocks (schema
// version 0, in the order the configuration gave them).
const stateWithBlockLists = `{
  "id": "2a7f0c5e-1b2d-4e3f-8a9b-0c1d2e3f4a5b/1",
  "policy_id": "2a7f0c5e-1b2d-4e3f-8a9b-0c1d2e3f4a5b",
  "version": 1,
  "name": "app",
  "comment": null,
  "document": null,
  "document_json": "{}",
  "retain_on_delete": false,
  "record_type": "A",
  "start_rule": "split",
  "start_endpoint": null,
  "endpoint": [
    {"id": "single", "type": "value", "value": "192.0.2.10", "region": null},
    {"id": "ap-southeast-1", "type": "value", "value": "192.0.2.1", "region": null},
    {"id": "ap-south-1", "type": "value", "value": "192.0.2.2", "region": null}
  ],
  "rule": [
    {
      "id": "split", "type": "weighted",
      "item": [
        {"endpoint": "single", "rule": null, "health_check": null, "evaluate_target_health": null, "weight": 90},
        {"endpoint": null, "rule": "latency", "health_check": null, "evaluate_target_health": true, "weight": 10}
      ],
      "region": [], "primary": null, "secondary": null, "location": [], "geoproximity_location": []
    },
    {
      "id": "latency", "type": "latency",
      "item": [],
      "region": [
        {"region": "ap-southeast-1", "endpoint": "ap-southeast-1", "rule": null, "health_check": null, "evaluate_target_health": null},
        {"region": "ap-south-1", "endpoint": "ap-south-1", "rule": null, "health_check": null, "evaluate_target_health": null}
      ],
      "primary": null, "secondary": null, "location": [], "geoproximity_location": []
    }
  ]
}`

// A state written while endpoint and rule were lists still loads: Terraform
// keeps both as JSON arrays, so the sets read it as it is and the schema
// version stays 0 (no upgrade step is needed).
func TestTrafficPolicyVersionStateWithBlockLists(t *testing.T) {
	ctx := context.Background()
	srv, err := acctest.ProtoV6ProviderFactories[acctest.ProviderName]()
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	s := schemas.ResourceSchemas["regis_traffic_policy_version"]
	if s == nil {
		t.Fatal("no schema for regis_traffic_policy_version")
	}
	if s.Version != 0 {
		t.Errorf("schema version %d: a new version needs a state upgrader from 0 and this test for it", s.Version)
	}
	resp, err := srv.UpgradeResourceState(ctx, &tfprotov6.UpgradeResourceStateRequest{
		TypeName: "regis_traffic_policy_version",
		Version:  0,
		RawState: &tfprotov6.RawState{JSON: []byte(stateWithBlockLists)},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range resp.Diagnostics {
		t.Errorf("%s: %s: %s", d.Severity, d.Summary, d.Detail)
	}
	if resp.UpgradedState == nil {
		t.Fatal("no upgraded state")
	}
	v, err := resp.UpgradedState.Unmarshal(s.ValueType())
	if err != nil {
		t.Fatal(err)
	}
	var attrs map[string]tftypes.Value
	if err := v.As(&attrs); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]int{"endpoint": 3, "rule": 2} {
		if !attrs[name].Type().Is(tftypes.Set{}) {
			t.Errorf("%s is a %s, want a set", name, attrs[name].Type())
		}
		var elems []tftypes.Value
		if err := attrs[name].As(&elems); err != nil {
			t.Fatal(err)
		}
		if len(elems) != want {
			t.Errorf("%d %s blocks, want %d", len(elems), name, want)
		}
	}
}
