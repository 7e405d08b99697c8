package bus_test

import (
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/regis-infra/terraform-provider-regis/internal/acctest"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/emulatortest"
	"github.com/regis-infra/terraform-provider-regis/internal/redistest"
)

// TestAccBus_defaultArchitecture deploys a bus whose consumer keeps the
// default architecture (arm64, as in the README's example) and checks that
// it replicates. On an x86_64 host the emulator runs the arm64 consumer
// through QEMU (Debian's qemu-user); without QEMU the test is skipped, and
// such a bus fails its invocations with Runtime.InvalidEntrypoint, which the
// emulator's own tests cover.
func TestAccBus_defaultArchitecture(t *testing.T) {
	redistest.RequireServer(t)
	if runtime.GOARCH != "arm64" && !qemuAArch64() {
		t.Skip("the arm64 consumer needs qemu-aarch64 (Debian package qemu-user) on this host")
	}
	emu := acctest.Emulator(t)
	name := acctest.RandomName("tf-acc-arch")
	redis1 := redistest.Start(t, redistest.Options{})
	config := testBusConfig(name, []regionConfig{{Region: r1, Redis: redis1.Addr}})
	// No architecture: the default.
	config = strings.Replace(config, "architecture = \""+hostArch()+"\"\n", "", 1)
	if strings.Contains(config, "architecture") {
		t.Fatalf("the architecture is still set:\n%s", config)
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { preCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkNoBusObjects(t, name),
		Steps: []resource.TestStep{{
			Config:           config,
			ConfigPlanChecks: emptyPlanAfterApply(),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(resourceName, "regions."+r1+".consumer.architecture", "arm64"),
				func(s *terraform.State) error {
					ids, err := recordedIDs(s)
					if err != nil {
						return err
					}
					return replicate(t, emulatortest.Config(t, emu, r1), ids, map[string]*redistest.Server{r1: redis1})
				},
			),
		}},
	})
}

// qemuAArch64 reports whether arm64 binaries can run here through QEMU.
func qemuAArch64() bool {
	if _, err := exec.LookPath("qemu-aarch64"); err == nil {
		return true
	}
	data, err := os.ReadFile("/proc/sys/fs/binfmt_misc/qemu-aarch64")
	return err == nil && strings.HasPrefix(string(data), "enabled")
}
