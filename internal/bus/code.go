package bus

import (
	"encoding/base64"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/regis-infra/terraform-provider-regis/internal/bus/consumerzip"
)

// ZipSource returns the consumer package for an architecture ("arm64",
// "x86_64") and its digest in Lambda's CodeSha256 form. The provider's is
// consumerzip.Zip, the zips embedded at build time; tests give theirs
// (provider.WithConsumerZips).
type ZipSource func(arch string) (zip []byte, sha string, err error)

// zipSource yields the consumer package of a region: consumer_zip when set
// (a path, or base64 content), else the bundled zip of the architecture.
// It reads each package once per operation.
type zipSource struct {
	userZip string
	bundled ZipSource

	mu    sync.Mutex
	cache map[string]zipEntry
}

type zipEntry struct {
	zip []byte
	sha string
	err error
}

func newZipSource(userZip string, bundled ZipSource) *zipSource {
	return &zipSource{userZip: userZip, bundled: bundled, cache: map[string]zipEntry{}}
}

// zipMagicBase64 is how the base64 of any zip file starts ("PK\x03\x04").
const zipMagicBase64 = "UEsDB"

// get returns the package for arch and its CodeSha256.
func (z *zipSource) get(arch string) ([]byte, string, error) {
	key := arch
	if z.userZip != "" {
		key = "user"
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	if e, ok := z.cache[key]; ok {
		return e.zip, e.sha, e.err
	}
	var e zipEntry
	if z.userZip != "" {
		e.zip, e.err = loadUserZip(z.userZip)
		if e.err == nil {
			e.sha = consumerzip.CodeSHA256(e.zip)
		}
	} else {
		e.zip, e.sha, e.err = z.bundled(arch)
	}
	z.cache[key] = e
	return e.zip, e.sha, e.err
}

func loadUserZip(s string) ([]byte, error) {
	if strings.HasPrefix(s, zipMagicBase64) {
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("consumer_zip looks like base64 zip content but does not decode: %w. Use filebase64(\"consumer.zip\"), or give the file's path", err)
		}
		return b, nil
	}
	b, err := os.ReadFile(s)
	if err != nil {
		return nil, fmt.Errorf("consumer_zip: cannot read %q: %w. Give the path of a zip file (relative to the directory Terraform runs in), or its content with filebase64()", s, err)
	}
	if len(b) < 4 || string(b[:4]) != "PK\x03\x04" {
		return nil, fmt.Errorf("consumer_zip: %q is not a zip file. Build it with `make lambda` or zip a bootstrap executable", s)
	}
	return b, nil
}
