package bus

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/regis-infra/terraform-provider-regis/internal/bus/consumerzip"
)

func testZip(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	f, _ := w.Create("bootstrap")
	if _, err := f.Write([]byte("#!/bin/sh\n")); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestZipSourceUserZip(t *testing.T) {
	z := testZip(t)
	path := filepath.Join(t.TempDir(), "c.zip")
	if err := os.WriteFile(path, z, 0o644); err != nil {
		t.Fatal(err)
	}
	for name, src := range map[string]string{"path": path, "base64": base64.StdEncoding.EncodeToString(z)} {
		got, sha, err := newZipSource(src, consumerzip.Zip).get("arm64")
		if err != nil || !bytes.Equal(got, z) || sha != consumerzip.CodeSHA256(z) {
			t.Errorf("%s: %v", name, err)
		}
		// One package for every architecture.
		if _, sha2, _ := newZipSource(src, consumerzip.Zip).get("x86_64"); sha2 != sha {
			t.Errorf("%s: another package for x86_64", name)
		}
	}
	notZip := filepath.Join(t.TempDir(), "c.txt")
	if err := os.WriteFile(notZip, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	for src, want := range map[string]string{
		notZip:                        "is not a zip file",
		"/nonexistent/consumer.zip":   "cannot read",
		zipMagicBase64 + "!!!notbase": "does not decode",
	} {
		if _, _, err := newZipSource(src, consumerzip.Zip).get("arm64"); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", src, err, want)
		}
	}
}

func TestZipSourceNotBundled(t *testing.T) {
	// A provider built without the zips (plain go build) has none.
	empty := t.TempDir()
	_, _, err := newZipSource("", func(arch string) ([]byte, string, error) { return consumerzip.ZipFromDir(empty, arch) }).get("arm64")
	if err == nil || !strings.Contains(err.Error(), "this provider was built without the bundled consumer; build it with `make install` or set consumer_zip") {
		t.Fatalf("err = %v", err)
	}
}
