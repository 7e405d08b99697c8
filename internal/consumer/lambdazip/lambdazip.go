// Package lambdazip builds the consumer Lambda's deployment packages,
// reproducibly: the same commit and Go toolchain give byte-identical zips.
//
// For each architecture it cross-compiles ./lambda as "bootstrap" (the
// provided.al2023 entry point) with CGO_ENABLED=0, -trimpath,
// -buildvcs=false, -ldflags "-s -w -buildid=" and -tags lambda.norpc, with
// GOAMD64/GOARM64 pinned, and zips it with a fixed time stamp
// (SOURCE_DATE_EPOCH if set, else 1980-01-01T00:00:00Z), mode 0755 and
// nothing else that varies. cmd: cmd/regis-buildzip.
package lambdazip

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Arch is one Lambda architecture and its Go GOARCH.
type Arch struct {
	Lambda string // arm64 | x86_64
	GOARCH string
}

// Archs are the architectures built by default.
var Archs = []Arch{{"arm64", "arm64"}, {"x86_64", "amd64"}}

// ZipName is the package file name for a Lambda architecture.
func ZipName(lambdaArch string) string { return "regis-consumer-" + lambdaArch + ".zip" }

// SourceDate is SOURCE_DATE_EPOCH, or 1980-01-01 (the zip format's epoch).
func SourceDate() (time.Time, error) {
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH %q: %w", s, err)
		}
		t := time.Unix(n, 0).UTC()
		if t.Year() < 1980 {
			t = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
		}
		return t, nil
	}
	return time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC), nil
}

// Package builds pkg for a, zips it into dir and writes the .sha256 file. It
// returns the zip's SHA-256 (hex) and size. extraEnv is appended to the go
// command's environment (tests use it for a separate GOCACHE).
func Package(ctx context.Context, pkg string, a Arch, dir string, mtime time.Time, extraEnv []string) (string, int, error) {
	tmp, err := os.MkdirTemp("", "regis-bootstrap-")
	if err != nil {
		return "", 0, err
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "bootstrap")
	if err := Build(ctx, pkg, a.GOARCH, bin, extraEnv); err != nil {
		return "", 0, err
	}
	exe, err := os.ReadFile(bin)
	if err != nil {
		return "", 0, err
	}
	z, err := Zip(exe, mtime)
	if err != nil {
		return "", 0, err
	}
	sum := sha256.Sum256(z)
	hexSum := hex.EncodeToString(sum[:])
	name := ZipName(a.Lambda)
	if err := os.WriteFile(filepath.Join(dir, name), z, 0o644); err != nil {
		return "", 0, err
	}
	if err := os.WriteFile(filepath.Join(dir, name+".sha256"), []byte(hexSum+"  "+name+"\n"), 0o644); err != nil {
		return "", 0, err
	}
	return hexSum, len(z), nil
}

// Build compiles pkg for linux/goarch into out with the reproducible flags.
func Build(ctx context.Context, pkg, goarch, out string, extraEnv []string) error {
	cmd := exec.CommandContext(ctx, "go", "build",
		"-trimpath", "-buildvcs=false", "-tags", "lambda.norpc",
		"-ldflags", "-s -w -buildid=",
		"-o", out, pkg)
	env := []string{}
	for _, kv := range os.Environ() {
		// Settings that would change the output are pinned below.
		switch k, _, _ := strings.Cut(kv, "="); k {
		case "GOFLAGS", "CGO_ENABLED", "GOOS", "GOARCH", "GOAMD64", "GOARM64", "GOEXPERIMENT", "CGO_CFLAGS", "CGO_LDFLAGS":
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goarch, "GOAMD64=v1", "GOARM64=v8.0", "GOFLAGS=-mod=readonly")
	cmd.Env = append(env, extraEnv...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build %s for linux/%s: %w\n%s", pkg, goarch, err, stderr.String())
	}
	return nil
}

// Zip returns a zip holding exe as "bootstrap", mode 0755, time stamp mtime,
// deflated at the best compression, with nothing that varies between runs.
func Zip(exe []byte, mtime time.Time) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestCompression)
	})
	h := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate, Modified: mtime}
	h.SetMode(0o755)
	w, err := zw.CreateHeader(h)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(exe); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// FindArch returns the architecture named by its Lambda or Go name.
func FindArch(name string) (Arch, bool) {
	for _, a := range Archs {
		if a.Lambda == name || a.GOARCH == name {
			return a, true
		}
	}
	return Arch{}, false
}
