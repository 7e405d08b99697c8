// Package consumerzip holds the Regis consumer Lambda zips that the provider
// ships, so that regis_bus users build nothing: the provider uploads the zip
// for each region's architecture itself.
//
// # Where the zips come from
//
// The zips are embedded at compile time from dist/ (//go:embed dist). They are
// build outputs of `make lambda`, which runs the consumer's reproducible zip
// builder (go run ./cmd/regis-buildzip -out internal/bus/consumerzip/dist)
// and writes one zip per architecture, each holding the `bootstrap` binary
// built from lambda/ for the provided.al2023 runtime. The zips are git-ignored;
// dist/README.md is committed so that the embed directive compiles on a clean
// checkout.
//
// Releases and `make install` run `make lambda` before `go build`, so every
// released provider carries the consumer. A provider built with plain
// `go build` carries none: Zip then fails with ErrNotBundled and regis_bus
// asks for consumer_zip.
//
// # Tests
//
// A test binary embeds whatever dist/ held when it was compiled, which may be
// nothing or an older consumer. Tests therefore do not use Zip: the package
// consumerziptest builds fresh zips and hands them to the provider under test
// through provider.WithConsumerZips (ZipFromDir reads them). The released
// provider has no way to be pointed at other zips than its own, except the
// consumer_zip argument.
package consumerzip

import (
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"sync"
)

// Architectures of the Lambda function, in the Lambda API's spelling.
const (
	ArchARM64 = "arm64"
	ArchX8664 = "x86_64"
)

// Architectures lists the architectures the provider ships a consumer for.
var Architectures = []string{ArchARM64, ArchX8664}

// ErrNotBundled is returned by Zip when the provider carries no consumer zip
// for the architecture.
var ErrNotBundled = errors.New("this provider was built without the bundled consumer; build it with `make install` or set consumer_zip")

//go:embed dist
var dist embed.FS

// Zip returns the bundled consumer zip for arch ("arm64" or "x86_64") and its
// SHA-256 as Lambda reports it in CodeSha256 (standard base64 of the digest).
// The error wraps ErrNotBundled when the build carries no zip for arch.
func Zip(arch string) ([]byte, string, error) {
	if arch != ArchARM64 && arch != ArchX8664 {
		return nil, "", fmt.Errorf("consumer zip: unknown architecture %q: use %q or %q", arch, ArchARM64, ArchX8664)
	}
	return embedded(arch)
}

// ZipFromDir returns the zip for arch found in dir, named as the builder
// names it, and its CodeSha256.
func ZipFromDir(dir, arch string) ([]byte, string, error) {
	return fromDir(os.DirFS(dir), dir, arch)
}

// Bundled reports whether the provider binary itself carries a zip for arch.
func Bundled(arch string) bool {
	_, _, err := embedded(arch)
	return err == nil
}

// CodeSHA256 returns the digest of a zip in Lambda's CodeSha256 form.
func CodeSHA256(zip []byte) string {
	sum := sha256.Sum256(zip)
	return base64.StdEncoding.EncodeToString(sum[:])
}

type cached struct {
	zip []byte
	sha string
	err error
}

var (
	embeddedOnce sync.Once
	embeddedZips map[string]cached
)

// embedded reads and hashes the embedded zips once per process: they are
// immutable, and hashing ~10 MB on every plan would be wasted work.
func embedded(arch string) ([]byte, string, error) {
	embeddedOnce.Do(func() {
		embeddedZips = map[string]cached{}
		sub, err := fs.Sub(dist, "dist")
		for _, a := range Architectures {
			if err != nil {
				embeddedZips[a] = cached{err: err}
				continue
			}
			z, sha, err := fromDir(sub, "", a)
			embeddedZips[a] = cached{zip: z, sha: sha, err: err}
		}
	})
	c := embeddedZips[arch]
	return c.zip, c.sha, c.err
}

// fromDir finds the zip for arch in fsys. The builder names its outputs after
// the architecture; both the Lambda spelling (x86_64, arm64) and Go's (amd64,
// arm64) are recognised so that a renamed output does not silently vanish.
func fromDir(fsys fs.FS, where, arch string) ([]byte, string, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		if where != "" {
			return nil, "", fmt.Errorf("consumer zip: reading %s: %w", where, err)
		}
		return nil, "", fmt.Errorf("consumer zip (%s): %w", arch, ErrNotBundled)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".zip") {
			continue
		}
		if matchesArch(e.Name(), arch) {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	switch len(names) {
	case 0:
		if where != "" {
			return nil, "", fmt.Errorf("consumer zip: %s holds no zip for %s (expected a file such as consumer-%s.zip): %w", where, arch, arch, ErrNotBundled)
		}
		return nil, "", fmt.Errorf("consumer zip (%s): %w", arch, ErrNotBundled)
	case 1:
	default:
		loc := "the provider's bundled files"
		if where != "" {
			loc = where
		}
		return nil, "", fmt.Errorf("consumer zip: %s holds several zips for %s (%s): keep one", loc, arch, strings.Join(names, ", "))
	}
	z, err := fs.ReadFile(fsys, path.Clean(names[0]))
	if err != nil {
		return nil, "", fmt.Errorf("consumer zip: reading %s: %w", names[0], err)
	}
	if len(z) < 4 || string(z[:4]) != "PK\x03\x04" {
		return nil, "", fmt.Errorf("consumer zip: %s is not a zip file", names[0])
	}
	return z, CodeSHA256(z), nil
}

func matchesArch(name, arch string) bool {
	n := strings.ToLower(name)
	switch arch {
	case ArchX8664:
		return strings.Contains(n, "x86_64") || strings.Contains(n, "amd64") || strings.Contains(n, "x86-64")
	case ArchARM64:
		return strings.Contains(n, "arm64") || strings.Contains(n, "aarch64")
	}
	return false
}
