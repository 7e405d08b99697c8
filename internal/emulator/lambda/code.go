package lambda

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// codePackage is an uploaded .zip deployment package.
type codePackage struct {
	zip      []byte
	size     int64
	sha256   string // base64, as CodeSha256
	hexSHA   string
	unzipped int64

	once   sync.Once
	dir    string
	extErr error
}

// codeFromInput validates a FunctionCode and returns its package.
func codeFromInput(in *functionCodeInput) (*codePackage, *core.APIError) {
	if in.ImageURI != "" {
		return nil, errInvalidParameter("The emulator runs only .zip deployment packages; container images (ImageUri) are not supported.")
	}
	if in.S3Bucket != "" || in.S3Key != "" || in.S3ObjectVersion != "" {
		return nil, errInvalidParameter("The emulator does not emulate Amazon S3: upload the deployment package inline as ZipFile instead of S3Bucket/S3Key.")
	}
	if len(in.ZipFile) == 0 {
		return nil, errInvalidParameter("Please provide a source for function code.")
	}
	r, err := zip.NewReader(bytes.NewReader(in.ZipFile), int64(len(in.ZipFile)))
	if err != nil {
		return nil, errInvalidParameter("Could not unzip uploaded file. Please check your file, then try to upload again.")
	}
	var total int64
	for _, f := range r.File {
		total += int64(f.UncompressedSize64)
	}
	if total > maxUnzipped {
		return nil, errInvalidParameter("Unzipped size must be smaller than %d bytes", maxUnzipped)
	}
	sum := sha256.Sum256(in.ZipFile)
	return &codePackage{
		zip:      in.ZipFile,
		size:     int64(len(in.ZipFile)),
		sha256:   base64.StdEncoding.EncodeToString(sum[:]),
		hexSHA:   hex.EncodeToString(sum[:]),
		unzipped: total,
	}, nil
}

// extract unzips the package once under root and returns its directory (the
// function's LAMBDA_TASK_ROOT). File modes from the zip are kept: a bootstrap
// without the executable bit fails as on AWS.
func (c *codePackage) extract(root string) (string, error) {
	c.once.Do(func() {
		dir := filepath.Join(root, c.hexSHA)
		if _, err := os.Stat(filepath.Join(dir, ".complete")); err == nil {
			c.dir = dir
			return
		}
		tmp, err := os.MkdirTemp(root, "extract-")
		if err != nil {
			c.extErr = err
			return
		}
		if err := unzipTo(c.zip, tmp); err != nil {
			_ = os.RemoveAll(tmp)
			c.extErr = err
			return
		}
		_ = os.WriteFile(filepath.Join(tmp, ".complete"), nil, 0o600)
		if err := os.Rename(tmp, dir); err != nil {
			_ = os.RemoveAll(tmp)
			if _, serr := os.Stat(filepath.Join(dir, ".complete")); serr != nil {
				c.extErr = err
				return
			}
		}
		c.dir = dir
	})
	return c.dir, c.extErr
}

func unzipTo(data []byte, dir string) error {
	r, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return err
	}
	for _, f := range r.File {
		name := filepath.FromSlash(strings.TrimLeft(f.Name, "/"))
		if name == "" || strings.HasPrefix(filepath.Clean(name), "..") {
			continue
		}
		target := filepath.Join(dir, name)
		mode := f.Mode()
		switch {
		case mode.IsDir():
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
			continue
		case mode&fs.ModeSymlink != 0 || !mode.IsRegular():
			continue // links and special files are not extracted
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		perm := mode.Perm()
		if perm == 0 {
			perm = 0o644
		}
		if err := writeFile(f, target, perm); err != nil {
			return err
		}
	}
	return nil
}

func writeFile(f *zip.File, target string, perm fs.FileMode) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, io.LimitReader(rc, maxUnzipped)); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Chmod(target, perm)
}
