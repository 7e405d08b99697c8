// Package release holds the checks of the provider's release artifacts: a
// goreleaser build (make release-snapshot builds one offline, with a
// throwaway signing key) must be what the Terraform Registry and Terraform
// expect, and carry the consumer Lambda zips on every platform. It has
// tests only; they skip unless REGIS_RELEASE_DIST names the build.
package release
