package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// flagSet is a command's flags with the CLI's conventions: -h prints the
// usage on stdout and exits 0; a bad flag prints the error and a pointer to
// -h on stderr and exits 2; positional arguments are refused.
type flagSet struct {
	*flag.FlagSet
	a        *app
	cmd      string // "dlq peek"
	synopsis string
}

func (a *app) newFlags(cmd, synopsis string) *flagSet {
	fs := flag.NewFlagSet("regis "+cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return &flagSet{FlagSet: fs, a: a, cmd: cmd, synopsis: synopsis}
}

// parse parses args. When ok is false the command must return code.
func (f *flagSet) parse(args []string) (code int, ok bool) {
	err := f.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		f.printUsage(f.a.stdout)
		return exitOK, false
	case err != nil:
		return f.usageError("%v", err), false
	case f.NArg() > 0:
		return f.usageError("unexpected argument %q (flags go before nothing else; see -h)", f.Arg(0)), false
	}
	return exitOK, true
}

// usageError reports a usage mistake and returns exitUsage.
func (f *flagSet) usageError(format string, args ...any) int {
	fmt.Fprintf(f.a.stderr, "regis %s: %s\nRun 'regis %s -h' for usage.\n", f.cmd, fmt.Sprintf(format, args...), f.cmd)
	return exitUsage
}

func (f *flagSet) printUsage(w io.Writer) {
	fmt.Fprint(w, strings.TrimLeft(f.synopsis, "\n"))
	fmt.Fprint(w, "\nFlags:\n")
	f.VisitAll(func(fl *flag.Flag) {
		name, usage := flag.UnquoteUsage(fl)
		line := "  --" + fl.Name
		if name != "" {
			line += " " + name
		}
		if def := fl.DefValue; def != "" && def != "0" && def != "false" && def != "0s" {
			usage += " (default " + def + ")"
		}
		fmt.Fprintf(w, "%s\n      %s\n", line, usage)
	})
}

// stringList is a repeatable flag that also splits on commas.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

func (l stringList) contains(s string) bool {
	for _, v := range l {
		if v == s {
			return true
		}
	}
	return false
}

// awsFlags registers the flags every AWS command takes.
func (f *flagSet) awsFlags() *awsOptions {
	o := &awsOptions{}
	f.StringVar(&o.Profile, "profile", "", "AWS shared config `profile` (default: AWS_PROFILE or the default profile)")
	f.StringVar(&o.EndpointURL, "endpoint-url", "", "send every AWS call to this `URL` (an emulator, LocalStack); AWS_ENDPOINT_URL works too")
	return o
}

// busFlags name a bus, or one of its queues.
type busFlags struct {
	topicARN string
	queueURL string
	regions  stringList
	aws      *awsOptions
}

func (f *flagSet) busFlags() *busFlags {
	b := &busFlags{}
	f.StringVar(&b.topicARN, "topic-arn", "", "the bus's SNS topic `ARN`: regions, queues and DLQs are found from its SQS subscriptions")
	f.StringVar(&b.queueURL, "queue-url", "", "one region's Regis queue `URL` (or its DLQ's), instead of --topic-arn")
	f.Var(&b.regions, "region", "with --topic-arn: only these `regions` (repeatable or comma-separated); with --queue-url: the queue's region when its URL does not say")
	b.aws = f.awsFlags()
	return b
}

// check validates the bus flags and returns a usage error code, or 0.
func (b *busFlags) check(f *flagSet) int {
	switch {
	case b.topicArnSet() && b.queueURL != "":
		return f.usageError("--topic-arn and --queue-url exclude each other")
	case !b.topicArnSet() && b.queueURL == "":
		return f.usageError("name the bus with --topic-arn (or one queue with --queue-url)")
	case b.queueURL != "" && len(b.regions) > 1:
		return f.usageError("--queue-url takes at most one --region")
	}
	if b.topicArnSet() {
		if _, err := parseTopicARN(b.topicARN); err != nil {
			return f.usageError("%v", err)
		}
	}
	return 0
}

func (b *busFlags) topicArnSet() bool { return b.topicARN != "" }
