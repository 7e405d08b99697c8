package lambdazip

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// sourceHash hashes every .go file and go.mod/go.sum under root.
func sourceHash(t *testing.T, root string) string {
	t.Helper()
	h := sha256.New()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || (!strings.HasSuffix(path, ".go") && d.Name() != "go.mod" && d.Name() != "go.sum") {
			return nil
		}
		b, rerr := os.ReadFile(path)
		if rerr != nil {
			return nil //nolint:nilerr // removed meanwhile: the hash changes anyway
		}
		h.Write([]byte(path))
		h.Write(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestZipIsDeterministic(t *testing.T) {
	mtime := time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	a, err := Zip([]byte("binary"), mtime)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond)
	b, _ := Zip([]byte("binary"), mtime)
	if !bytes.Equal(a, b) {
		t.Fatal("two zips of the same bytes differ")
	}
	zr, err := zip.NewReader(bytes.NewReader(a), int64(len(a)))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != 1 {
		t.Fatalf("%d entries", len(zr.File))
	}
	f := zr.File[0]
	if f.Name != "bootstrap" || f.Mode().Perm() != 0o755 || !f.Modified.Equal(mtime) {
		t.Fatalf("entry %s mode %v time %v", f.Name, f.Mode(), f.Modified)
	}
}

// TestReproducibleBuild builds the Lambda twice for arm64 and compares the
// zips byte for byte. The second build uses a fresh GOCACHE when
// REGIS_ZIP_FULL_REBUILD=1 (a few minutes on 2 cores); otherwise the
// compiled packages come from the cache and only the link and the zip are
// redone.
func TestReproducibleBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the Lambda twice")
	}
	ctx := context.Background()
	mtime := time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	arch := Arch{"arm64", "arm64"}
	var extra []string
	if os.Getenv("REGIS_ZIP_FULL_REBUILD") == "1" {
		extra = []string{"GOCACHE=" + t.TempDir()}
	}
	d1, d2 := t.TempDir(), t.TempDir()
	before := sourceHash(t, "../../..")
	s1, n1, err := Package(ctx, "../../../lambda", arch, d1, mtime, nil)
	if err != nil {
		t.Fatal(err)
	}
	s2, _, err := Package(ctx, "../../../lambda", arch, d2, mtime, extra)
	if err != nil {
		t.Fatal(err)
	}
	z1, _ := os.ReadFile(filepath.Join(d1, ZipName("arm64")))
	z2, _ := os.ReadFile(filepath.Join(d2, ZipName("arm64")))
	if s1 != s2 || !bytes.Equal(z1, z2) {
		if sourceHash(t, "../../..") != before {
			t.Skip("Go sources changed while the two builds ran (someone is editing the tree): cannot judge")
		}
		t.Fatalf("two builds differ: %s vs %s", s1, s2)
	}
	sumFile, _ := os.ReadFile(filepath.Join(d1, ZipName("arm64")+".sha256"))
	if string(sumFile) != s1+"  "+ZipName("arm64")+"\n" {
		t.Fatalf("sha256 file: %q", sumFile)
	}
	if n1 > 6<<20 {
		t.Errorf("zip is %d bytes, over the 6 MB budget", n1)
	}
	zr, err := zip.NewReader(bytes.NewReader(z1), int64(len(z1)))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := zr.File[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	exe, _ := io.ReadAll(rc)
	ef, err := elf.NewFile(bytes.NewReader(exe))
	if err != nil {
		t.Fatalf("bootstrap is not ELF: %v", err)
	}
	if ef.Machine != elf.EM_AARCH64 {
		t.Fatalf("machine %v", ef.Machine)
	}
}
