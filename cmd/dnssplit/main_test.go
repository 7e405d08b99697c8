package main

import (
	"bytes"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// serve starts a DNS server on a free UDP port: every other query for
// www.example.test gets a CNAME to a.example.net, the others one to
// b.example.net; other names get NXDOMAIN.
func serve(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Int64
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(req)
		if req.Question[0].Name != "www.example.test." {
			m.Rcode = dns.RcodeNameError
			_ = w.WriteMsg(m)
			return
		}
		target := "a.example.net."
		if n.Add(1)%2 == 0 {
			target = "b.example.net."
		}
		m.Answer = append(m.Answer, &dns.CNAME{
			Hdr:    dns.RR_Header{Name: "www.example.test.", Rrtype: dns.TypeCNAME, Class: dns.ClassINET, Ttl: 60},
			Target: target,
		})
		_ = w.WriteMsg(m)
	})}
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	go func() { _ = srv.ActivateAndServe() }()
	<-started
	t.Cleanup(func() { _ = srv.Shutdown() })
	return pc.LocalAddr().String()
}

func TestRunCountsAnswers(t *testing.T) {
	addr := serve(t)
	var out bytes.Buffer
	if err := run(&out, addr, "www.example.test", "A", 10, time.Second); err != nil {
		t.Fatal(err)
	}
	want := "      5 a.example.net.\n      5 b.example.net.\n"
	if out.String() != want {
		t.Errorf("output:\n%s\nwant:\n%s", out.String(), want)
	}
}

func TestRunCountsRcodes(t *testing.T) {
	addr := serve(t)
	var out bytes.Buffer
	if err := run(&out, addr, "nothing.example.test", "A", 3, time.Second); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "      3 ;; NXDOMAIN\n"; got != want {
		t.Errorf("output %q, want %q", got, want)
	}
}

func TestRunStopsWhenNothingAnswers(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0") // bound, never answers
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	err = run(&bytes.Buffer{}, pc.LocalAddr().String(), "www.example.test", "A", 1000, 20*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "does not answer (10 of 10 queries failed)") {
		t.Fatalf("err = %v, want it to give up after 10 failed queries", err)
	}
}

func TestRunRejectsUnknownType(t *testing.T) {
	if err := run(&bytes.Buffer{}, "127.0.0.1:53", "www.example.test", "NOPE", 1, time.Second); err == nil {
		t.Fatal("want an error for an unknown query type")
	}
}
