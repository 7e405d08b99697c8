package route53

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// DNSConfig configures a DNS server of the emulator.
type DNSConfig struct {
	// ClientRegion is the AWS region every query is answered for, as if the
	// client's DNS resolver were there (e.g. "ap-southeast-1").
	ClientRegion string
	// Addr is the UDP and TCP address to listen on, e.g. "127.0.0.1:5353";
	// port 0 picks a free port (the same one for UDP and TCP).
	Addr string
	// Rand is the random source of weighted and multivalue choices; nil means
	// a randomly seeded one. The server serializes its use.
	Rand Rand
}

// DNSServer is a running DNS server answering from the emulated hosted zones.
type DNSServer struct {
	svc    *Service
	region string
	addr   string
	udp    *dns.Server
	tcp    *dns.Server

	randMu sync.Mutex
	rnd    Rand

	closeOnce sync.Once
}

// Addr is the address the server listens on (UDP and TCP), e.g. "127.0.0.1:5353".
func (d *DNSServer) Addr() string { return d.addr }

// ClientRegion is the AWS region the server answers for.
func (d *DNSServer) ClientRegion() string { return d.region }

// Close stops the server.
func (d *DNSServer) Close() error {
	d.svc.dnsMu.Lock()
	for i, srv := range d.svc.servers {
		if srv == d {
			d.svc.servers = append(d.svc.servers[:i], d.svc.servers[i+1:]...)
			break
		}
	}
	d.svc.dnsMu.Unlock()
	d.shutdown()
	return nil
}

func (d *DNSServer) shutdown() {
	d.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = d.udp.ShutdownContext(ctx)
		_ = d.tcp.ShutdownContext(ctx)
	})
}

// ServeDNS starts a DNS server (UDP and TCP) on addr that answers every query
// as if the client were in clientRegion: authoritative answers for names in
// the emulated hosted zones (NXDOMAIN or no data with the zone's SOA),
// REFUSED for other names. stop shuts it down; Close on the service stops
// every server too.
//
//	dig @127.0.0.1 -p 5353 www.example.com
func (s *Service) ServeDNS(clientRegion, addr string) (stop func(), err error) {
	srv, err := s.StartDNS(DNSConfig{ClientRegion: clientRegion, Addr: addr})
	if err != nil {
		return nil, err
	}
	return func() { _ = srv.Close() }, nil
}

// StartDNS starts a DNS server as configured; see ServeDNS.
func (s *Service) StartDNS(cfg DNSConfig) (*DNSServer, error) {
	if !isRegion(cfg.ClientRegion) {
		return nil, fmt.Errorf("%w %q; use an AWS region code such as ap-southeast-1", ErrUnknownRegion, cfg.ClientRegion)
	}
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	pc, ln, err := listenUDPAndTCP(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("route53: dns server for %s: %w", cfg.ClientRegion, err)
	}
	d := &DNSServer{svc: s, region: cfg.ClientRegion, addr: pc.LocalAddr().String(), rnd: cfg.Rand}
	if d.rnd == nil {
		d.rnd = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	handler := dns.HandlerFunc(d.serve)
	var started sync.WaitGroup
	started.Add(2)
	d.udp = &dns.Server{PacketConn: pc, Handler: handler, NotifyStartedFunc: started.Done}
	d.tcp = &dns.Server{Listener: ln, Handler: handler, NotifyStartedFunc: started.Done}
	errs := make(chan error, 2)
	go func() { errs <- d.udp.ActivateAndServe() }()
	go func() { errs <- d.tcp.ActivateAndServe() }()
	ready := make(chan struct{})
	go func() { started.Wait(); close(ready) }()
	select {
	case <-ready:
	case err := <-errs:
		d.shutdown()
		_ = pc.Close()
		_ = ln.Close()
		return nil, fmt.Errorf("route53: dns server for %s: %w", cfg.ClientRegion, err)
	}
	s.dnsMu.Lock()
	s.servers = append(s.servers, d)
	s.dnsMu.Unlock()
	return d, nil
}

// listenUDPAndTCP binds UDP and TCP on the same address; with port 0 it
// retries until both get the same free port.
func listenUDPAndTCP(addr string) (net.PacketConn, net.Listener, error) {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, nil, err
	}
	var lastErr error
	for attempt := 0; attempt < 20; attempt++ {
		pc, err := net.ListenPacket("udp", addr)
		if err != nil {
			return nil, nil, err
		}
		ln, err := net.Listen("tcp", pc.LocalAddr().String())
		if err == nil {
			return pc, ln, nil
		}
		_ = pc.Close()
		lastErr = err
		if port != "0" {
			break
		}
	}
	return nil, nil, lastErr
}

// serve answers one DNS message.
func (d *DNSServer) serve(w dns.ResponseWriter, req *dns.Msg) {
	m := new(dns.Msg)
	if req.Opcode != dns.OpcodeQuery {
		m.SetRcode(req, dns.RcodeNotImplemented)
		_ = w.WriteMsg(m)
		return
	}
	if len(req.Question) != 1 {
		m.SetRcodeFormatError(req)
		_ = w.WriteMsg(m)
		return
	}
	m.SetReply(req)
	m.RecursionAvailable = false
	q := req.Question[0]
	if q.Qclass != dns.ClassINET && q.Qclass != dns.ClassANY {
		m.Rcode = dns.RcodeRefused
		_ = w.WriteMsg(m)
		return
	}
	qtype := dns.TypeToString[q.Qtype]
	if qtype == "" {
		qtype = fmt.Sprintf("TYPE%d", q.Qtype)
	}
	d.randMu.Lock()
	res, err := d.svc.Resolve(d.region, q.Name, qtype, d.rnd)
	d.randMu.Unlock()
	switch {
	case err != nil:
		m.Rcode = dns.RcodeServerFailure
	case res.Zone == "":
		m.Rcode = dns.RcodeRefused
	case len(res.Delegation) > 0:
		for _, a := range res.Delegation {
			if rr := toRR(a); rr != nil {
				m.Ns = append(m.Ns, rr)
			}
		}
	default:
		m.Authoritative = true
		for _, a := range res.Answers {
			if rr := toRR(a); rr != nil {
				m.Answer = append(m.Answer, rr)
			}
		}
		if len(m.Answer) == 0 && res.SOA != nil {
			if rr := toRR(*res.SOA); rr != nil {
				m.Ns = append(m.Ns, rr)
			}
		}
		if res.NXDomain {
			m.Rcode = dns.RcodeNameError
		}
	}
	size := dns.MinMsgSize
	if opt := req.IsEdns0(); opt != nil {
		size = max(int(opt.UDPSize()), dns.MinMsgSize)
		m.SetEdns0(uint16(min(size, 4096)), false)
	}
	if _, isUDP := w.RemoteAddr().(*net.UDPAddr); isUDP {
		m.Truncate(size)
	}
	_ = w.WriteMsg(m)
}

// toRR converts an answer in Route 53's text form to a DNS record.
func toRR(a Answer) dns.RR {
	value := a.Value
	if a.Type == "TXT" || a.Type == "SPF" {
		value = strings.TrimSpace(value)
	}
	rr, err := dns.NewRR(fmt.Sprintf("%s %d IN %s %s", a.Name, a.TTL, a.Type, value))
	if err != nil || rr == nil {
		return nil
	}
	return rr
}
