package release_test

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// EnvDist names goreleaser's dist directory to check. `make
// release-snapshot` sets it after an offline snapshot build.
const EnvDist = "REGIS_RELEASE_DIST"

const (
	project  = "terraform-provider-regis"
	source   = "registry.terraform.io/regis-infra/regis"
	consumer = "consumer/"
)

// consumerZips are the consumer Lambda zips every archive carries, next to
// the provider binary and inside it.
var consumerZips = []string{"regis-consumer-arm64.zip", "regis-consumer-x86_64.zip"}

type artifact struct {
	Name   string `json:"name"`
	Path   string `json:"path"`
	Goos   string `json:"goos"`
	Goarch string `json:"goarch"`
	Type   string `json:"type"`
}

// TestReleaseArtifacts checks a goreleaser build (a snapshot, or a release
// before it is published) the way the Terraform Registry and Terraform
// read it:
//
//   - one zip per platform, <project>_<version>_<os>_<arch>.zip, holding the
//     binary <project>_v<version> and both consumer zips; the binary embeds
//     the very bytes of both (what regis_bus uploads), so no platform ships
//     a provider without its consumer;
//   - <project>_<version>_SHA256SUMS lists every zip and the registry
//     manifest with their digests, and its detached signature verifies;
//   - <project>_<version>_manifest.json is terraform-registry-manifest.json;
//   - with no network, Terraform locks the provider for every platform from
//     a filesystem mirror of the archives (so each is a package it accepts),
//     installs this machine's archive, checked against that lock, and runs
//     it (terraform validate loads its schema).
func TestReleaseArtifacts(t *testing.T) {
	dist := os.Getenv(EnvDist)
	if dist == "" {
		t.Skipf("set %s to goreleaser's dist directory (make release-snapshot does)", EnvDist)
	}
	var meta struct {
		ProjectName string `json:"project_name"`
		Version     string `json:"version"`
	}
	readJSON(t, filepath.Join(dist, "metadata.json"), &meta)
	if meta.ProjectName != project || meta.Version == "" || strings.HasPrefix(meta.Version, "v") {
		t.Fatalf("metadata.json: project %q, version %q: want %s and a version without v", meta.ProjectName, meta.Version, project)
	}
	version := meta.Version
	var artifacts []artifact
	readJSON(t, filepath.Join(dist, "artifacts.json"), &artifacts)

	sums := readSums(t, filepath.Join(dist, project+"_"+version+"_SHA256SUMS"))
	wantZips := readConsumerZips(t)

	// One archive per platform built, and only zips.
	archives := map[string]artifact{}
	for _, a := range artifacts {
		switch a.Type {
		case "Binary":
			if _, ok := archives[a.Goos+"_"+a.Goarch]; !ok {
				archives[a.Goos+"_"+a.Goarch] = artifact{}
			}
		case "Archive":
			archives[a.Goos+"_"+a.Goarch] = a
		}
	}
	if len(archives) == 0 {
		t.Fatal("artifacts.json lists no archive")
	}
	for platform, a := range archives {
		want := fmt.Sprintf("%s_%s_%s.zip", project, version, platform)
		if a.Name != want {
			t.Errorf("platform %s: archive %q, want %q", platform, a.Name, want)
			continue
		}
		b, err := os.ReadFile(filepath.Join(dist, a.Name))
		if err != nil {
			t.Fatal(err)
		}
		checkArchive(t, a.Name, b, a.Goos, version, wantZips)
		checkSum(t, sums, a.Name, b)
	}
	if _, ok := archives[runtime.GOOS+"_"+runtime.GOARCH]; !ok {
		t.Fatalf("no archive for this machine (%s_%s): the release must include it", runtime.GOOS, runtime.GOARCH)
	}

	// The registry manifest: the release uploads terraform-registry-manifest.json
	// under this name, and SHA256SUMS covers it.
	manifest := project + "_" + version + "_manifest.json"
	got, err := os.ReadFile("../../terraform-registry-manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Version  int `json:"version"`
		Metadata struct {
			ProtocolVersions []string `json:"protocol_versions"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(got, &m); err != nil || m.Version != 1 || !slices.Equal(m.Metadata.ProtocolVersions, []string{"6.0"}) {
		t.Errorf("terraform-registry-manifest.json %s: %v (the provider serves protocol 6.0 only)", got, err)
	}
	checkSum(t, sums, manifest, got)
	if len(sums) != len(archives)+1 {
		t.Errorf("SHA256SUMS lists %d files, want the %d archives and the manifest: %v", len(sums), len(archives), slices.Sorted(maps.Keys(sums)))
	}

	// The detached signature of SHA256SUMS, with the key of GNUPGHOME.
	sig := filepath.Join(dist, project+"_"+version+"_SHA256SUMS.sig")
	if out, err := exec.Command("gpg", "--batch", "--verify", sig, filepath.Join(dist, project+"_"+version+"_SHA256SUMS")).CombinedOutput(); err != nil {
		t.Errorf("gpg --verify %s: %v\n%s", sig, err, out)
	}

	terraformInit(t, dist, version, archives)
}

// checkArchive checks the files of one platform's zip and that its binary
// embeds both consumer zips.
func checkArchive(t *testing.T, name string, archive []byte, goos, version string, wantZips map[string][]byte) {
	t.Helper()
	r, err := zip.NewReader(bytes.NewReader(archive), int64(len(archive)))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	binary := project + "_v" + version
	if goos == "windows" {
		binary += ".exe"
	}
	files := map[string][]byte{}
	for _, f := range r.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name] = b
	}
	bin, ok := files[binary]
	if !ok {
		t.Errorf("%s: no %s at the root (files: %v)", name, binary, slices.Sorted(maps.Keys(files)))
		return
	}
	for _, z := range consumerZips {
		shipped, ok := files[consumer+z]
		switch {
		case !ok:
			t.Errorf("%s: no %s%s", name, consumer, z)
		case !bytes.Equal(shipped, wantZips[z]):
			t.Errorf("%s: %s%s is not the zip make lambda built", name, consumer, z)
		}
		if !bytes.Contains(bin, wantZips[z]) {
			t.Errorf("%s: the provider binary does not embed %s (%d bytes): regis_bus would have no consumer to upload", name, z, len(wantZips[z]))
		}
	}
}

// readConsumerZips reads the zips make lambda built (goreleaser's before
// hook), which every binary must embed.
func readConsumerZips(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, z := range consumerZips {
		b, err := os.ReadFile(filepath.Join("../bus/consumerzip/dist", z))
		if err != nil {
			t.Fatalf("%v (goreleaser's before hook runs make lambda)", err)
		}
		out[z] = b
	}
	return out
}

// readSums parses a SHA256SUMS file: "<hex digest>  <name>" per line.
func readSums(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sums := map[string]string{}
	s := bufio.NewScanner(f)
	for s.Scan() {
		digest, name, ok := strings.Cut(s.Text(), "  ")
		if !ok || len(digest) != 64 {
			t.Fatalf("%s: malformed line %q", path, s.Text())
		}
		sums[name] = digest
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return sums
}

func checkSum(t *testing.T, sums map[string]string, name string, content []byte) {
	t.Helper()
	sum := sha256.Sum256(content)
	switch got, ok := sums[name]; {
	case !ok:
		t.Errorf("SHA256SUMS does not list %s", name)
	case got != hex.EncodeToString(sum[:]):
		t.Errorf("SHA256SUMS: %s has %s, the file %x", name, got, sum)
	}
}

// terraformInit puts every archive in a filesystem mirror (the packed
// layout), has Terraform lock the provider for every platform from it, then
// install this machine's archive (checked against the lock) and run the
// provider, with no network: every HTTP request would go to a closed port.
func terraformInit(t *testing.T, dist, version string, archives map[string]artifact) {
	t.Helper()
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tf == "" {
		var err error
		if tf, err = exec.LookPath("terraform"); err != nil {
			t.Fatalf("terraform init needs Terraform: %v", err)
		}
	}
	dir := t.TempDir()
	mirror := filepath.Join(dir, "mirror")
	packed := filepath.Join(mirror, filepath.FromSlash(source))
	if err := os.MkdirAll(packed, 0o755); err != nil {
		t.Fatal(err)
	}
	var platforms []string
	for platform, a := range archives {
		b, err := os.ReadFile(filepath.Join(dist, a.Name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(packed, a.Name), b, 0o644); err != nil {
			t.Fatal(err)
		}
		platforms = append(platforms, "-platform="+platform)
	}
	slices.Sort(platforms)
	cli := filepath.Join(dir, "terraform.rc")
	writeFile(t, cli, fmt.Sprintf(`provider_installation {
  filesystem_mirror {
    path    = %q
    include = [%q]
  }
  direct {
    exclude = [%q]
  }
}
`, mirror, source, source))
	work := filepath.Join(dir, "work")
	writeFile(t, filepath.Join(work, "main.tf"), fmt.Sprintf(`terraform {
  required_providers {
    regis = {
      source  = "regis-infra/regis"
      version = "= %s"
    }
  }
}

provider "regis" {
  region = "ap-southeast-1"
}

data "regis_traffic_policy_document" "one" {
  record_type    = "A"
  start_endpoint = "only"
  endpoint {
    id    = "only"
    type  = "value"
    value = "192.0.2.1"
  }
}
`, version))
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(tf, args...)
		cmd.Dir = work
		cmd.Env = append(os.Environ(),
			"TF_CLI_CONFIG_FILE="+cli, "TF_PLUGIN_CACHE_DIR=", "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1",
			// Offline: any request would fail.
			"HTTPS_PROXY=http://127.0.0.1:9", "HTTP_PROXY=http://127.0.0.1:9", "NO_PROXY=",
		)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}

	// Every platform's archive is a provider package Terraform accepts.
	run(append([]string{"providers", "lock", "-no-color", "-fs-mirror=" + mirror}, platforms...)...)
	lock, err := os.ReadFile(filepath.Join(work, ".terraform.lock.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(lock), `"h1:`); n != len(archives) {
		t.Errorf("the lock file has %d package hashes, want one per platform (%d):\n%s", n, len(archives), lock)
	}

	// This machine's archive installs, matching the lock, and runs.
	t.Log(run("init", "-input=false", "-no-color"))
	installed := filepath.Join(work, ".terraform", "providers", filepath.FromSlash(source), version, runtime.GOOS+"_"+runtime.GOARCH, project+"_v"+version)
	if runtime.GOOS == "windows" {
		installed += ".exe"
	}
	if _, err := os.Stat(installed); err != nil {
		t.Errorf("terraform init did not install the provider: %v", err)
	}
	if out := run("validate", "-no-color"); !strings.Contains(out, "The configuration is valid") {
		t.Errorf("terraform validate: %s", out)
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
