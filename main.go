// Command terraform-provider-regis serves the regis Terraform provider.
//
// Terraform starts it as a plugin. Run it with -debug to attach a debugger:
// it then prints a TF_REATTACH_PROVIDERS value to export before running
// Terraform.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/regis-infra/terraform-provider-regis/internal/provider"
)

// version is set at build time: go build -ldflags "-X main.version=1.2.3".
var version = "dev"

// address is the provider's registry address.
const address = "registry.terraform.io/regis-infra/regis"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address:         address,
		Debug:           debug,
		ProtocolVersion: 6,
	})
	if err != nil {
		log.Fatal(err)
	}
}
