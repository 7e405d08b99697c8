package bus_test

import (
	"context"
	"net/http"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/regis-infra/terraform-provider-regis/internal/acctest"
	"github.com/regis-infra/terraform-provider-regis/internal/bus"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// ------------------------------------------------------- state capture

// stateCapture records the last regis_bus state the provider returned from
// ApplyResourceChange: the state Terraform saves, even when the apply fails.
type stateCapture struct {
	mu    sync.Mutex
	state *tfprotov6.DynamicValue
	seen  bool
}

func (c *stateCapture) factories() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		acctest.ProviderName: func() (tfprotov6.ProviderServer, error) {
			s, err := acctest.ProtoV6ProviderFactories[acctest.ProviderName]()
			if err != nil {
				return nil, err
			}
			return &capturingServer{ProviderServer: s, c: c}, nil
		},
	}
}

type capturingServer struct {
	tfprotov6.ProviderServer
	c *stateCapture
}

func (s *capturingServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	resp, err := s.ProviderServer.ApplyResourceChange(ctx, req)
	if resp != nil && req.TypeName == "regis_bus" {
		s.c.mu.Lock()
		s.c.state, s.c.seen = resp.NewState, true
		s.c.mu.Unlock()
	}
	return resp, err
}

// ids decodes the captured state into recordedIDs' form (nil maps when the
// provider returned a null state).
func (c *stateCapture) ids(t *testing.T) map[string]map[string]string {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.seen {
		t.Fatal("the provider returned no regis_bus state")
	}
	out := map[string]map[string]string{"": {}}
	if c.state == nil {
		return out
	}
	ctx := context.Background()
	sresp := &resource.SchemaResponse{}
	bus.NewBusResource(nil).Schema(ctx, resource.SchemaRequest{}, sresp)
	v, err := c.state.Unmarshal(sresp.Schema.Type().TerraformType(ctx))
	if err != nil {
		t.Fatalf("decoding the captured state: %v", err)
	}
	if v.IsNull() {
		return out
	}
	var attrs map[string]tftypes.Value
	if err := v.As(&attrs); err != nil {
		t.Fatal(err)
	}
	out[""]["topic_arn"] = str(attrs["topic_arn"])
	var regions map[string]tftypes.Value
	if err := attrs["regions"].As(&regions); err != nil {
		t.Fatal(err)
	}
	for name, rv := range regions {
		var ra map[string]tftypes.Value
		if err := rv.As(&ra); err != nil {
			t.Fatal(err)
		}
		out[name] = map[string]string{}
		for k, av := range ra {
			if av.Type().Is(tftypes.String) {
				out[name][k] = str(av)
			}
		}
	}
	return out
}

func str(v tftypes.Value) string {
	var s *string
	if v.IsKnown() && !v.IsNull() {
		_ = v.As(&s)
	}
	if s == nil {
		return ""
	}
	return *s
}

// checkCapturedState asserts that the state the provider returned records
// every object of the bus that exists, and nothing that does not.
func checkCapturedState(t *testing.T, c *stateCapture, name string) {
	t.Helper()
	if err := compareStateAndInventory(c.ids(t), busObjects(t, name)); err != nil {
		t.Errorf("state written after the failure does not match the emulator:\n%v", err)
	}
}

// --------------------------------------------------------- clock helper

// fastForwardDeletedQueues advances the emulator clock past SQS's 60-second
// QueueDeletedRecently barrier after every DeleteQueue, so that replacing a
// bus does not wait a minute in real time. It stops with the returned func.
func fastForwardDeletedQueues(emu *emulator.Emulator) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var last int64
		if calls := emu.Calls(); len(calls) > 0 {
			last = calls[len(calls)-1].Seq
		}
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			deleted := false
			for _, call := range emu.Calls() {
				if call.Seq > last {
					last = call.Seq
					if call.Service == "sqs" && call.Action == "DeleteQueue" {
						deleted = true
					}
				}
			}
			if deleted {
				emu.Clock().Advance(61 * time.Second)
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

// ------------------------------------------------------------- the test

func accessDenied(region, service, action string) emulator.Fault {
	return emulator.Fault{Region: region, Service: service, Action: action, Times: 1,
		Err: &core.APIError{Status: http.StatusForbidden, Code: "AccessDenied", Message: "injected: not allowed to " + action}}
}

// TestAccBus_partialFailure fails each step of creating a bus in turn. The
// apply must fail, the state the provider wrote must record every object
// that exists (nothing orphaned), and the next apply must converge; destroy
// then leaves nothing. The faults are in the second region while the first
// completes, so both a finished and a half-made region are recorded.
//
// Not parallel: injected faults and clock jumps are emulator-wide.
func TestAccBus_partialFailure(t *testing.T) {
	emu := acctest.Emulator(t)
	waiterFault := func(f emulator.Fault) emulator.Fault { f.Times = -1; return f }
	steps := []struct {
		name  string
		fault emulator.Fault
		err   *regexp.Regexp
	}{
		{"topic", accessDenied(r1, "sns", "CreateTopic"), acctest.ErrorRegexp("Cannot create the Regis bus topic", "Nothing was created")},
		{"dlq", accessDenied(r2, "sqs", "CreateQueue"), acctest.ErrorRegexp("partially created", "creating the dead-letter queue")},
		{"queue", withAfter(accessDenied(r2, "sqs", "CreateQueue"), 1), acctest.ErrorRegexp("partially created", "creating the queue")},
		{"queue policy", accessDenied(r2, "sqs", "SetQueueAttributes"), acctest.ErrorRegexp("partially created", "setting the queue policy")},
		{"subscription", accessDenied(r1, "sns", "Subscribe"), acctest.ErrorRegexp("partially created", "subscribing the queue")},
		{"role", accessDenied("", "iam", "CreateRole"), acctest.ErrorRegexp("partially created", "creating the IAM role")},
		{"role policy", accessDenied("", "iam", "PutRolePolicy"), acctest.ErrorRegexp("partially created", "putting the IAM role policy")},
		{"function", accessDenied(r2, "lambda", "CreateFunction"), acctest.ErrorRegexp("partially created", "creating the consumer function")},
		{"function active wait", waiterFault(accessDenied(r2, "lambda", "GetFunction")), acctest.ErrorRegexp("partially created", "starting the consumer function")},
		{"mapping", accessDenied(r2, "lambda", "CreateEventSourceMapping"), acctest.ErrorRegexp("partially created", "creating the event source mapping")},
		{"mapping enabled wait", waiterFault(accessDenied(r2, "lambda", "GetEventSourceMapping")), acctest.ErrorRegexp("partially created", "enabling the event source mapping")},
		{"dlq alarm", accessDenied(r2, "monitoring", "PutMetricAlarm"), acctest.ErrorRegexp("partially created", "putting the alarm")},
		{"age alarm", withAfter(accessDenied(r2, "monitoring", "PutMetricAlarm"), 1), acctest.ErrorRegexp("partially created", "putting the alarm")},
	}
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			name := acctest.RandomName("tf-acc-bus")
			config := testBusConfig(name, regionsOf(r1, r2))
			capture := &stateCapture{}
			t.Cleanup(emu.ClearFaults)
			var stop func()
			t.Cleanup(func() {
				if stop != nil {
					stop()
				}
			})
			converge := tfresource.TestStep{
				PreConfig: func() {
					// Faults off first: looking objects up must not fail.
					emu.ClearFaults()
					checkCapturedState(t, capture, name)
					stop = fastForwardDeletedQueues(emu)
				},
				Config: config,
				ConfigPlanChecks: tfresource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: tfresource.ComposeTestCheckFunc(
					checkStateMatchesInventory(t, name),
					testAccCheckBusWiring(t, r1, r1, r2),
				),
			}
			if step.name != "topic" {
				// The failed create left a tainted bus: it is replaced.
				converge.ConfigPlanChecks.PreApply = []plancheck.PlanCheck{plancheck.ExpectResourceAction(resourceName, plancheck.ResourceActionDestroyBeforeCreate)}
			}
			tfresource.Test(t, tfresource.TestCase{
				PreCheck:                 func() { preCheck(t) },
				ProtoV6ProviderFactories: capture.factories(),
				CheckDestroy:             checkNoBusObjects(t, name),
				Steps: []tfresource.TestStep{
					{
						PreConfig:   func() { emu.InjectFault(step.fault) },
						Config:      config,
						ExpectError: step.err,
					},
					converge,
				},
			})
		})
	}

	// A region added by an update fails half-way: the existing region is
	// untouched, the new one is recorded, and the next apply finishes it in
	// place. Then a destroy fails half-way and a second destroy finishes.
	t.Run("update and delete", func(t *testing.T) {
		name := acctest.RandomName("tf-acc-bus")
		capture := &stateCapture{}
		t.Cleanup(emu.ClearFaults)
		var keep idKeeper
		tfresource.Test(t, tfresource.TestCase{
			PreCheck:                 func() { preCheck(t) },
			ProtoV6ProviderFactories: capture.factories(),
			CheckDestroy:             checkNoBusObjects(t, name),
			Steps: []tfresource.TestStep{
				{
					Config: testBusConfig(name, regionsOf(r1)),
					Check:  keep.save(),
				},
				{
					PreConfig:   func() { emu.InjectFault(accessDenied(r2, "lambda", "CreateEventSourceMapping")) },
					Config:      testBusConfig(name, regionsOf(r1, r2)),
					ExpectError: acctest.ErrorRegexp("partially updated", r2, "creating the event source mapping"),
				},
				{
					PreConfig: func() {
						emu.ClearFaults()
						checkCapturedState(t, capture, name)
						if got := capture.ids(t)[r2]["function_arn"]; got == "" {
							t.Errorf("the function created before the failure is not recorded")
						}
					},
					Config: testBusConfig(name, regionsOf(r1, r2)),
					ConfigPlanChecks: tfresource.ConfigPlanChecks{
						PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(resourceName, plancheck.ResourceActionUpdate)},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					Check: tfresource.ComposeTestCheckFunc(
						keep.unchanged(r1),
						checkStateMatchesInventory(t, name),
						testAccCheckBusWiring(t, r1, r1, r2),
					),
				},
				{
					PreConfig:   func() { emu.InjectFault(accessDenied(r2, "sqs", "DeleteQueue")) },
					Config:      testBusConfig(name, regionsOf(r1, r2)),
					Destroy:     true,
					ExpectError: acctest.ErrorRegexp("partially deleted", "deleting the queue"),
				},
				{
					PreConfig: func() {
						emu.ClearFaults()
						checkCapturedState(t, capture, name)
					},
					Config:  testBusConfig(name, regionsOf(r1, r2)),
					Destroy: true,
				},
			},
		})
	})
}

func withAfter(f emulator.Fault, n int) emulator.Fault {
	f.After = n
	return f
}
