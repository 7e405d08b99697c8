package consumerzip

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func makeZip(t *testing.T, content string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	f, err := w.Create("bootstrap")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte(content)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func write(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestZipFromDir(t *testing.T) {
	dir := t.TempDir()
	arm, x86 := makeZip(t, "arm"), makeZip(t, "x86")
	write(t, filepath.Join(dir, "regis-consumer-arm64.zip"), arm)
	write(t, filepath.Join(dir, "regis-consumer-x86_64.zip"), x86)
	write(t, filepath.Join(dir, "regis-consumer-x86_64.zip.sha256"), []byte("ignored"))

	z, sha, err := ZipFromDir(dir, ArchX8664)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(z, x86) {
		t.Fatal("x86_64 returned another zip")
	}
	sum := sha256.Sum256(x86)
	if sha != base64.StdEncoding.EncodeToString(sum[:]) || sha != CodeSHA256(x86) {
		t.Fatalf("sha %s is not Lambda's CodeSha256 of the zip", sha)
	}
	if z, _, err := ZipFromDir(dir, ArchARM64); err != nil || !bytes.Equal(z, arm) {
		t.Fatalf("arm64: %v", err)
	}
}

func TestZipNotBundled(t *testing.T) {
	_, _, err := ZipFromDir(t.TempDir(), ArchARM64)
	if !errors.Is(err, ErrNotBundled) {
		t.Fatalf("err = %v, want ErrNotBundled", err)
	}
	if !strings.Contains(err.Error(), "built without the bundled consumer") || !strings.Contains(err.Error(), "set consumer_zip") {
		t.Fatalf("message does not say what to do: %v", err)
	}
}

func TestZipErrors(t *testing.T) {
	if _, _, err := Zip("amd64"); err == nil || !strings.Contains(err.Error(), `"arm64" or "x86_64"`) {
		t.Fatalf("unknown architecture: %v", err)
	}
	dir := t.TempDir()
	write(t, filepath.Join(dir, "regis-consumer-arm64.zip"), []byte("not a zip"))
	if _, _, err := ZipFromDir(dir, ArchARM64); err == nil || !strings.Contains(err.Error(), "not a zip file") {
		t.Fatalf("not a zip: %v", err)
	}
	write(t, filepath.Join(dir, "old-consumer-aarch64.zip"), makeZip(t, "x"))
	if _, _, err := ZipFromDir(dir, ArchARM64); err == nil || !strings.Contains(err.Error(), "several zips") {
		t.Fatalf("two zips for one architecture: %v", err)
	}
}

// TestEmbedded checks the embedded files: either the build carries a valid
// zip for an architecture, or Zip says it was built without.
func TestEmbedded(t *testing.T) {
	for _, arch := range Architectures {
		_, _, err := embedded(arch)
		if err != nil && !errors.Is(err, ErrNotBundled) {
			t.Errorf("%s: %v", arch, err)
		}
		if Bundled(arch) != (err == nil) {
			t.Errorf("%s: Bundled disagrees with embedded", arch)
		}
	}
}
