// Package redistest starts real redis-server processes for tests: a
// standalone server (optionally with TLS and a password) and a cluster of
// masters built with redis-cli --cluster create.
//
// Tests that use it are skipped with a clear message when redis-server (or,
// for clusters, redis-cli) is not on PATH. Every process is stopped by the
// test's Cleanup, and each one lives in its own temporary directory.
//
// Set REDISTEST_SERVER / REDISTEST_CLI to use binaries other than the ones
// found on PATH.
package redistest

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Options configure a standalone server.
type Options struct {
	// Password sets requirepass (the AUTH token of the default user).
	Password string
	// TLS makes the server accept only TLS connections, with a certificate
	// for 127.0.0.1 and localhost signed by a CA generated for the test.
	TLS bool
	// Args are extra redis-server arguments, e.g. "--maxmemory", "1mb".
	Args []string
}

// Server is one redis-server process.
type Server struct {
	// Addr is host:port to connect to.
	Addr string
	// Port is the port in Addr.
	Port int
	// Dir is the server's working directory (logs, cluster config).
	Dir string
	// TLS holds the test CA and server certificate when Options.TLS is set.
	TLS *TLSFiles

	tb     testing.TB
	opts   Options
	extra  []string
	mu     sync.Mutex
	cmd    *exec.Cmd
	done   chan struct{}
	bin    string
	logf   string
	paused bool
}

// ServerBinary returns the redis-server to use, or "" if there is none.
func ServerBinary() string { return binary("REDISTEST_SERVER", "redis-server") }

// CLIBinary returns the redis-cli to use, or "" if there is none.
func CLIBinary() string { return binary("REDISTEST_CLI", "redis-cli") }

func binary(env, name string) string {
	if p := os.Getenv(env); p != "" {
		return p
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return ""
	}
	return p
}

// RequireServer skips the test when redis-server is not installed.
func RequireServer(tb testing.TB) string {
	tb.Helper()
	bin := ServerBinary()
	if bin == "" {
		tb.Skip("redis-server not found on PATH (apt-get install redis-server, or set REDISTEST_SERVER): skipping a test that needs a real Redis")
	}
	return bin
}

// Start starts a standalone redis-server on a free loopback port and stops
// it when the test ends.
func Start(tb testing.TB, opts Options) *Server {
	tb.Helper()
	s := newServer(tb, opts, nil)
	if err := s.start(); err != nil {
		tb.Fatalf("redistest: %v", err)
	}
	return s
}

// Launch starts a standalone redis-server outside of a test (benchmarks,
// tools), with dir as its working directory. The caller must Kill it.
func Launch(dir string, opts Options) (*Server, error) {
	bin := ServerBinary()
	if bin == "" {
		return nil, errors.New("redistest: redis-server not found on PATH (apt-get install redis-server, or set REDISTEST_SERVER)")
	}
	s := &Server{opts: opts, bin: bin, Dir: dir, logf: filepath.Join(dir, "redis.log")}
	if opts.TLS {
		files, err := WriteTLSFiles(dir)
		if err != nil {
			return nil, err
		}
		s.TLS = files
	}
	if err := s.start(); err != nil {
		return nil, err
	}
	return s, nil
}

func newServer(tb testing.TB, opts Options, extra []string) *Server {
	tb.Helper()
	bin := RequireServer(tb)
	dir := tb.TempDir()
	s := &Server{tb: tb, opts: opts, extra: extra, bin: bin, Dir: dir, logf: filepath.Join(dir, "redis.log")}
	if opts.TLS {
		files, err := WriteTLSFiles(dir)
		if err != nil {
			tb.Fatalf("redistest: %v", err)
		}
		s.TLS = files
	}
	tb.Cleanup(s.Kill)
	return s
}

func (s *Server) args(port int) []string {
	a := []string{
		"--bind", "127.0.0.1",
		"--dir", s.Dir,
		"--logfile", s.logf,
		"--save", "",
		"--appendonly", "no",
		"--daemonize", "no",
		"--protected-mode", "no",
	}
	if s.opts.TLS {
		a = append(a, "--port", "0", "--tls-port", strconv.Itoa(port),
			"--tls-cert-file", s.TLS.CertFile, "--tls-key-file", s.TLS.KeyFile,
			"--tls-ca-cert-file", s.TLS.CAFile, "--tls-auth-clients", "no")
	} else {
		a = append(a, "--port", strconv.Itoa(port))
	}
	if s.opts.Password != "" {
		a = append(a, "--requirepass", s.opts.Password)
	}
	a = append(a, s.extra...)
	return append(a, s.opts.Args...)
}

func (s *Server) start() error {
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		port := s.Port
		if port == 0 {
			p, err := FreePort()
			if err != nil {
				return err
			}
			port = p
		}
		if err := s.launch(port); err != nil {
			lastErr = err
			if s.Port != 0 {
				// Restart on a fixed port: give the old socket a moment.
				time.Sleep(100 * time.Millisecond)
			}
			continue
		}
		s.Port = port
		s.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		return nil
	}
	return lastErr
}

func (s *Server) launch(port int) error {
	cmd := exec.Command(s.bin, s.args(port)...)
	cmd.Dir = s.Dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start redis-server: %w", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case <-done:
			return fmt.Errorf("redis-server on port %d exited during start-up; log:\n%s", port, s.LogTail())
		default:
		}
		if s.ping(addr) {
			break
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-done
			return fmt.Errorf("redis-server on port %d not ready after 10s; log:\n%s", port, s.LogTail())
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.mu.Lock()
	s.cmd, s.done, s.paused = cmd, done, false
	s.mu.Unlock()
	return nil
}

// ping reports whether the server answers (any reply but LOADING counts:
// -NOAUTH means it is up and wants a password).
func (s *Server) ping(addr string) bool {
	var c net.Conn
	var err error
	d := &net.Dialer{Timeout: 200 * time.Millisecond}
	if s.opts.TLS {
		c, err = tls.DialWithDialer(d, "tcp", addr, s.TLS.ClientConfig())
	} else {
		c, err = d.Dial("tcp", addr)
	}
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(500 * time.Millisecond))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return false
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return false
	}
	return !strings.HasPrefix(line, "-LOADING")
}

// PID returns the server's process id (0 when it is not running).
func (s *Server) PID() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// LogTail returns the end of the server's log file.
func (s *Server) LogTail() string {
	b, _ := os.ReadFile(s.logf)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// Kill stops the server at once (SIGKILL) and waits for it to exit. It is
// safe to call more than once.
func (s *Server) Kill() {
	s.mu.Lock()
	cmd, done, paused := s.cmd, s.done, s.paused
	s.cmd, s.paused = nil, false
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	if paused {
		_ = cmd.Process.Signal(syscall.SIGCONT)
	}
	_ = cmd.Process.Kill()
	<-done
}

// Pause freezes the server (SIGSTOP): connections stay open but nothing
// answers, as with a hung node.
func (s *Server) Pause() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil && !s.paused {
		_ = s.cmd.Process.Signal(syscall.SIGSTOP)
		s.paused = true
	}
}

// Resume undoes Pause.
func (s *Server) Resume() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil && s.paused {
		_ = s.cmd.Process.Signal(syscall.SIGCONT)
		s.paused = false
	}
}

// Restart starts a killed server again on the same port, with an empty
// data set (persistence is off).
func (s *Server) Restart() {
	if s.tb != nil {
		s.tb.Helper()
	}
	s.Kill()
	if err := s.start(); err != nil {
		if s.tb == nil {
			panic(fmt.Sprintf("redistest: restart: %v", err))
		}
		s.tb.Fatalf("redistest: restart: %v", err)
	}
}

// FreePort returns a loopback TCP port that was free a moment ago, such
// that port+10000 (the cluster bus port) is free too.
func FreePort() (int, error) {
	for i := 0; i < 50; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		port := l.Addr().(*net.TCPAddr).Port
		if port > 55000 {
			l.Close()
			continue
		}
		bus, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port+10000)))
		l.Close()
		if err != nil {
			continue
		}
		bus.Close()
		return port, nil
	}
	return 0, errors.New("redistest: no free port pair found")
}

// TLSFiles are a test CA and a server certificate for 127.0.0.1/localhost.
type TLSFiles struct {
	CAFile, CertFile, KeyFile string
	// CAPEM is the CA certificate in PEM form.
	CAPEM []byte
	// Pool holds the CA, for a client's tls.Config RootCAs.
	Pool *x509.CertPool
}

// ClientConfig returns a tls.Config that verifies the server against the
// test CA.
func (f *TLSFiles) ClientConfig() *tls.Config {
	return &tls.Config{RootCAs: f.Pool, MinVersion: tls.VersionTLS12}
}
