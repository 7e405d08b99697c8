// Command regis is the operator CLI of a Regis bus: the SNS topic that
// services publish Redis commands to, and the SQS queue, dead-letter queue
// and consumer in every region it fans out to.
//
//	regis status      --topic-arn ARN      queue and DLQ depths, message age, replication lag
//	regis dlq peek    --topic-arn ARN      show dead letters without consuming them
//	regis dlq redrive --topic-arn ARN      move dead letters back to their queues
//	regis publish     --topic-arn ARN …    backfill commands read as JSON lines
//
// AWS credentials and settings come from the SDK's default chain (profile,
// environment, SSO, instance role); AWS_ENDPOINT_URL points it at an
// emulator or LocalStack. See README.md.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// version is set at build time: go build -ldflags "-X main.version=v1.2.3".
var version = "dev"

// Exit codes.
const (
	exitOK          = 0
	exitError       = 1   // an operation failed, or some input lines did
	exitUsage       = 2   // bad flags or arguments
	exitDLQNotEmpty = 3   // status --fail-on-dlq found dead letters
	exitInterrupted = 130 // stopped by Ctrl-C / SIGTERM
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first signal, restore the default handling so that a
		// second Ctrl-C kills the process while it finishes up.
		<-ctx.Done()
		stop()
	}()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is the whole CLI: tests call it instead of starting a process.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{
		stdin:      stdin,
		stdout:     stdout,
		stderr:     stderr,
		loadConfig: loadDefaultConfig,
		now:        time.Now,
	}
	return a.run(ctx, args)
}

// app holds what a command needs from its environment.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// loadConfig builds the AWS configuration; tests point it at the
	// emulator.
	loadConfig func(ctx context.Context, o awsOptions) (aws.Config, error)
	now        func() time.Time
}

type command struct {
	name    string
	summary string
	run     func(a *app, ctx context.Context, args []string) int
}

func commands() []command {
	return []command{
		{"status", "show queue and DLQ depths, message age and replication lag per region", (*app).status},
		{"dlq", "inspect and redrive dead-letter queues (dlq peek, dlq redrive)", (*app).dlq},
		{"publish", "publish Redis commands read as JSON lines from stdin (backfills)", (*app).publish},
		{"version", "print the version", (*app).version},
		{"help", "show help for a command", (*app).help},
	}
}

func (a *app) run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		a.usage(a.stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help":
		a.usage(a.stdout)
		return exitOK
	case "-v", "-version", "--version":
		return a.version(ctx, nil)
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(a, ctx, args[1:])
		}
	}
	fmt.Fprintf(a.stderr, "regis: unknown command %q\nRun 'regis help' for usage.\n", args[0])
	return exitUsage
}

func (a *app) usage(w io.Writer) {
	fmt.Fprint(w, `regis operates a Regis bus: one SNS topic fanned out to an SQS queue, a
dead-letter queue (DLQ) and a consumer in every region.

Usage:
  regis <command> [flags]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
A bus is named by its topic (--topic-arn): regions, queues and DLQs are found
from the topic's SQS subscriptions and the queues' redrive policies. Commands
that work on one queue also take --queue-url (the queue or its DLQ).

AWS settings come from the SDK's default chain: AWS_PROFILE or --profile,
AWS_ACCESS_KEY_ID…, SSO, instance roles. AWS_ENDPOINT_URL or --endpoint-url
points every call at an emulator or LocalStack.

Exit codes: 0 ok, 1 failure, 2 usage error, 3 dead letters found
(status --fail-on-dlq), 130 interrupted.

Run 'regis help <command>' or 'regis <command> -h' for a command's flags.
`)
}

func (a *app) help(ctx context.Context, args []string) int {
	if len(args) == 0 {
		a.usage(a.stdout)
		return exitOK
	}
	// "regis help dlq peek" is "regis dlq peek -h".
	return a.run(ctx, append(append([]string(nil), args...), "-h"))
}

func (a *app) version(_ context.Context, _ []string) int {
	fmt.Fprintf(a.stdout, "regis %s\n", versionString())
	return exitOK
}

// versionString is the ldflags version, with the VCS revision Go recorded
// when the binary was built from a checkout.
func versionString() string {
	v := version
	if bi, ok := debug.ReadBuildInfo(); ok {
		var rev, modified string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					modified = "-dirty"
				}
			}
		}
		if rev != "" {
			if len(rev) > 12 {
				rev = rev[:12]
			}
			v += " (" + rev + modified + ")"
		}
	}
	return v + " " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH
}
