package bus

import "github.com/regis-infra/terraform-provider-regis/internal/contract"

// Hooks for the reliability and security tests (package bus_test): the
// documents the bus writes, to compare what AWS holds with them exactly.

// RolePolicyForTest is the consumer role's inline policy for a region.
func RolePolicyForTest(bus, region, queueARN, dlqARN, authSecretARN, kmsKeyID string, vpc bool) string {
	return rolePolicy(roleInputs{Bus: bus, Region: region, QueueARN: queueARN, DLQARN: dlqARN, AuthSecretARN: authSecretARN, KMSKeyID: kmsKeyID, VPC: vpc})
}

// QueuePolicyForTest is a queue's policy: only the topic may send.
func QueuePolicyForTest(queueARN, topicARN string) string { return queuePolicy(queueARN, topicARN) }

// TrustPolicyForTest is the consumer role's trust policy.
const TrustPolicyForTest = trustPolicy

// RolePolicyNameForTest is the name of the consumer role's inline policy.
const RolePolicyNameForTest = contract.RolePolicyName

// SameJSONForTest compares two policy documents by content.
func SameJSONForTest(a, b string) bool { return sameJSON(a, b) }

// ObjectKindsForTest names every kind of object a bus creates, from the
// reconcilers' registry: the out-of-band catalogue must cover each.
func ObjectKindsForTest() []string { return objectKinds() }
