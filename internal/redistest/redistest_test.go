package redistest

import (
	"bufio"
	"crypto/tls"
	"strings"
	"testing"
	"time"
)

func TestStandaloneKillRestart(t *testing.T) {
	s := Start(t, Options{Password: "s3cret"})
	if _, err := command(s.Addr, "PING"); err == nil || !strings.Contains(err.Error(), "NOAUTH") {
		t.Fatalf("PING without AUTH: got %v, want NOAUTH", err)
	}
	s.Kill()
	if _, err := command(s.Addr, "PING"); err == nil {
		t.Fatal("server still answers after Kill")
	}
	s.Restart()
	if _, err := command(s.Addr, "PING"); err == nil || !strings.Contains(err.Error(), "NOAUTH") {
		t.Fatalf("after restart: got %v", err)
	}
}

func TestTLS(t *testing.T) {
	s := Start(t, Options{TLS: true})
	c, err := tls.Dial("tcp", s.Addr, s.TLS.ClientConfig())
	if err != nil {
		t.Fatalf("TLS dial verifying against the test CA: %v", err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		t.Fatalf("writing PING: %v", err)
	}
	line, _ := bufio.NewReader(c).ReadString('\n')
	if line != "+PONG\r\n" {
		t.Fatalf("got %q", line)
	}
	if _, err := command(s.Addr, "PING"); err == nil {
		t.Fatal("plain-text PING answered on the TLS port")
	}
}

func TestCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("cluster start-up takes a few seconds")
	}
	c := StartCluster(t, 3)
	for _, n := range c.Nodes {
		info, err := command(n.Addr, "CLUSTER", "INFO")
		if err != nil || !strings.Contains(info, "cluster_known_nodes:3") {
			t.Fatalf("%s: %v %s", n.Addr, err, info)
		}
	}
}
