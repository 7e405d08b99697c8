// Command dnssplit asks one DNS server the same question many times and
// counts the answers: how a weighted or latency record splits its lookups.
//
//	go run ./cmd/dnssplit -server 127.0.0.1:5354 -n 1000 flights.example.internal
//
// prints one line per distinct answer (count, then value), sorted by value,
// as `dig +short … | sort | uniq -c` would:
//
//	103 flights-bom-0987654321.ap-south-1.elb.amazonaws.com.
//	897 flights-sin-1234567890.ap-southeast-1.elb.amazonaws.com.
//
// Each query counts once, under the value of the last record of its answer
// (the end of a CNAME chain); queries without an answer count under
// ";; <rcode or error>". scripts/demo.sh uses it when dig is not installed.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/miekg/dns"
)

func main() {
	server := flag.String("server", "127.0.0.1:53", "DNS server `host:port` to ask")
	n := flag.Int("n", 1000, "number of queries")
	qtype := flag.String("type", "A", "query `type`")
	timeout := flag.Duration("timeout", 2*time.Second, "timeout of each query")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: dnssplit [flags] NAME")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 || *n < 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(os.Stdout, *server, flag.Arg(0), *qtype, *n, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "dnssplit:", err)
		os.Exit(1)
	}
}

func run(w io.Writer, server, name, qtype string, n int, timeout time.Duration) error {
	t, ok := dns.StringToType[strings.ToUpper(qtype)]
	if !ok {
		return fmt.Errorf("unknown query type %q", qtype)
	}
	c := &dns.Client{Net: "udp", Timeout: timeout}
	counts := map[string]int{}
	failures := 0
	for i := 0; i < n; i++ {
		m := new(dns.Msg)
		m.SetQuestion(dns.Fqdn(name), t)
		m.RecursionDesired = false
		r, _, err := c.Exchange(m, server)
		counts[answerOf(r, err)]++
		if err != nil {
			failures++
			if failures == n || (failures >= 10 && i < 2*failures) {
				// Nothing is answering: report rather than wait n timeouts.
				return fmt.Errorf("%s does not answer (%d of %d queries failed): %w", server, failures, i+1, err)
			}
		}
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if _, err := fmt.Fprintf(w, "%7d %s\n", counts[k], k); err != nil {
			return err
		}
	}
	return nil
}

// answerOf is the value a query counts under: the data of the answer's last
// record, or what went wrong.
func answerOf(r *dns.Msg, err error) string {
	var netErr interface{ Timeout() bool }
	switch {
	case errors.As(err, &netErr) && netErr.Timeout():
		return ";; timed out"
	case err != nil:
		return ";; " + err.Error()
	case r.Rcode != dns.RcodeSuccess:
		return ";; " + dns.RcodeToString[r.Rcode]
	case len(r.Answer) == 0:
		return ";; no data"
	}
	rr := r.Answer[len(r.Answer)-1]
	return strings.TrimPrefix(rr.String(), rr.Header().String())
}
