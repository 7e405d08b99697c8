package bus

import (
	"context"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/regis-infra/terraform-provider-regis/internal/awsapi"
	"github.com/regis-infra/terraform-provider-regis/internal/contract"
	"github.com/regis-infra/terraform-provider-regis/internal/createonce"
)

// trustPolicy lets Lambda assume the consumer's role.
const trustPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

func iamTags(tags map[string]string) []iamtypes.Tag {
	var out []iamtypes.Tag
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		out = append(out, iamtypes.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	return out
}

// createRole creates the consumer's role. A role of that name that exists
// already makes it fail with EntityAlreadyExists.
func createRole(ctx context.Context, c *iam.Client, name, bus string, tags map[string]string) (string, error) {
	in := &iam.CreateRoleInput{
		RoleName:                 aws.String(name),
		AssumeRolePolicyDocument: aws.String(trustPolicy),
		Description:              aws.String("Regis consumer of bus " + bus + " (managed by Terraform)"),
	}
	if len(tags) > 0 {
		in.Tags = iamTags(tags)
	}
	// A lost answer must not turn our own new role into "someone else's".
	arn, err := createonce.Do(ctx, createonce.Attempts(c.Options().Retryer),
		func(ctx context.Context) (string, error) {
			out, err := c.CreateRole(ctx, in, iamOnce)
			if err != nil {
				return "", err
			}
			return aws.ToString(out.Role.Arn), nil
		},
		func(ctx context.Context) (string, bool, error) {
			out, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
			if awsapi.IsA[*iamtypes.NoSuchEntityException](err) {
				return "", false, nil
			}
			if err != nil {
				return "", false, err
			}
			return aws.ToString(out.Role.Arn), true, nil
		},
		func(err error) bool { return awsapi.IsA[*iamtypes.EntityAlreadyExistsException](err) },
	)
	return arn, err
}

type roleInfo struct {
	ARN    string
	Trust  string
	Policy string // our inline policy, "" when missing
	Tags   map[string]string
	// OtherInline names the role's other inline policies and Attached the
	// ARNs of its managed policies: permissions beyond the least-privilege
	// policy, which the bus removes.
	OtherInline []string
	Attached    []string
}

// extraPermissions describes OtherInline and Attached, "" when none.
func (r *roleInfo) extraPermissions() string {
	var parts []string
	if len(r.OtherInline) > 0 {
		parts = append(parts, "inline "+strings.Join(r.OtherInline, ", "))
	}
	if len(r.Attached) > 0 {
		parts = append(parts, "attached "+strings.Join(r.Attached, ", "))
	}
	return strings.Join(parts, "; ")
}

func findRole(ctx context.Context, c *iam.Client, name string) (*roleInfo, error) {
	out, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if awsapi.IsA[*iamtypes.NoSuchEntityException](err) {
		return nil, awsapi.NewNotFound("IAM role "+name, err)
	}
	if err != nil {
		return nil, err
	}
	info := &roleInfo{ARN: aws.ToString(out.Role.Arn), Tags: map[string]string{}}
	info.Trust, _ = url.QueryUnescape(aws.ToString(out.Role.AssumeRolePolicyDocument))
	for _, t := range out.Role.Tags {
		info.Tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	pol, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(contract.RolePolicyName)})
	switch {
	case awsapi.IsA[*iamtypes.NoSuchEntityException](err):
	case err != nil:
		return nil, err
	default:
		info.Policy, _ = url.QueryUnescape(aws.ToString(pol.PolicyDocument))
	}
	p := iam.NewListRolePoliciesPaginator(c, &iam.ListRolePoliciesInput{RoleName: aws.String(name)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if awsapi.IsA[*iamtypes.NoSuchEntityException](err) {
			return nil, awsapi.NewNotFound("IAM role "+name, err)
		}
		if err != nil {
			return nil, err
		}
		for _, pn := range page.PolicyNames {
			if pn != contract.RolePolicyName {
				info.OtherInline = append(info.OtherInline, pn)
			}
		}
	}
	ap := iam.NewListAttachedRolePoliciesPaginator(c, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
	for ap.HasMorePages() {
		page, err := ap.NextPage(ctx)
		if awsapi.IsA[*iamtypes.NoSuchEntityException](err) {
			return nil, awsapi.NewNotFound("IAM role "+name, err)
		}
		if err != nil {
			return nil, err
		}
		for _, a := range page.AttachedPolicies {
			info.Attached = append(info.Attached, aws.ToString(a.PolicyArn))
		}
	}
	return info, nil
}

// removeExtraPermissions deletes the role's other inline policies and
// detaches its managed policies: the consumer's role has the
// least-privilege policy only.
func removeExtraPermissions(ctx context.Context, c *iam.Client, role string, info *roleInfo) error {
	for _, pn := range info.OtherInline {
		if _, err := c.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(pn)}); err != nil && !awsapi.IsA[*iamtypes.NoSuchEntityException](err) {
			return fmt.Errorf("deleting inline policy %s: %w", pn, err)
		}
	}
	for _, arn := range info.Attached {
		if _, err := c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(role), PolicyArn: aws.String(arn)}); err != nil && !awsapi.IsA[*iamtypes.NoSuchEntityException](err) {
			return fmt.Errorf("detaching %s: %w", arn, err)
		}
	}
	return nil
}

func syncRoleTags(ctx context.Context, c *iam.Client, role string, current, desired map[string]string) error {
	add, remove := tagDiff(current, desired)
	if len(remove) > 0 {
		if _, err := c.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String(role), TagKeys: remove}); err != nil {
			return err
		}
	}
	if len(add) > 0 {
		if _, err := c.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String(role), Tags: iamTags(add)}); err != nil {
			return err
		}
	}
	return nil
}

// deleteRole deletes the role after its inline and attached policies (IAM
// refuses to delete a role that still has any). Missing is success.
func deleteRole(ctx context.Context, c *iam.Client, name string) error {
	var names []string
	p := iam.NewListRolePoliciesPaginator(c, &iam.ListRolePoliciesInput{RoleName: aws.String(name)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if awsapi.IsA[*iamtypes.NoSuchEntityException](err) {
			return nil
		}
		if err != nil {
			return err
		}
		names = append(names, page.PolicyNames...)
	}
	for _, pn := range names {
		if _, err := c.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(pn)}); err != nil && !awsapi.IsA[*iamtypes.NoSuchEntityException](err) {
			return fmt.Errorf("deleting inline policy %s: %w", pn, err)
		}
	}
	ap := iam.NewListAttachedRolePoliciesPaginator(c, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
	for ap.HasMorePages() {
		page, err := ap.NextPage(ctx)
		if awsapi.IsA[*iamtypes.NoSuchEntityException](err) {
			return nil
		}
		if err != nil {
			return err
		}
		for _, a := range page.AttachedPolicies {
			if _, err := c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(name), PolicyArn: a.PolicyArn}); err != nil && !awsapi.IsA[*iamtypes.NoSuchEntityException](err) {
				return fmt.Errorf("detaching %s: %w", aws.ToString(a.PolicyArn), err)
			}
		}
	}
	_, err := c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(name)})
	if awsapi.IsA[*iamtypes.NoSuchEntityException](err) {
		return nil
	}
	return err
}

// ------------------------------------------------------------ the reconciler

// convergeRole brings the recorded role to the bus's: the trust policy, the
// tags, and no permission beyond the consumer's policy (which
// ensureRolePolicy puts). A role that is gone loses its id.
func convergeRole(ctx context.Context, op *regionOp, c *iam.Client) error {
	ids := op.ids
	info, err := findRole(ctx, c, ids.RoleName)
	switch {
	case awsapi.IsNotFound(err):
		ids.RoleName, ids.RoleARN = "", ""
		return nil
	case err != nil:
		return op.fail("reading the IAM role", err)
	}
	ids.RoleARN = info.ARN
	op.role = info
	if !sameJSON(info.Trust, trustPolicy) {
		if _, err := c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(ids.RoleName), PolicyDocument: aws.String(trustPolicy)}); err != nil {
			return op.fail("restoring the IAM role's trust policy", err)
		}
	}
	if err := syncRoleTags(ctx, c, ids.RoleName, info.Tags, op.e.spec.Tags); err != nil {
		return op.fail("tagging the IAM role", err)
	}
	if err := removeExtraPermissions(ctx, c, ids.RoleName, info); err != nil {
		return op.fail("removing permissions beyond the consumer's policy from the IAM role", err)
	}
	return nil
}

func ensureRole(ctx context.Context, op *regionOp) error {
	ids := op.ids
	c := op.e.c.IAM(ctx)
	if ids.RoleName != "" {
		if err := convergeRole(ctx, op, c); err != nil {
			return err
		}
	}
	if ids.RoleName != "" {
		return nil
	}
	name := contract.RoleName(op.e.spec.Name, op.region())
	roleARN, err := createRole(ctx, c, name, op.e.spec.Name, op.e.spec.Tags)
	switch {
	case awsapi.IsA[*iamtypes.EntityAlreadyExistsException](err):
		// The role of the bus's name exists outside the state (left by an
		// earlier bus, or made by hand): adopt it and bring it to the bus's.
		ids.RoleName = name
		if err := convergeRole(ctx, op, c); err != nil {
			return err
		}
		if ids.RoleName == "" {
			return op.fail("creating the IAM role "+name, fmt.Errorf("IAM reported the role as existing, then did not find it: run terraform apply again: %w", err))
		}
	case err != nil:
		return op.fail("creating the IAM role "+name, err)
	default:
		ids.RoleName, ids.RoleARN = name, roleARN
		op.role, op.roleCreated = nil, true
	}
	return nil
}

// readRole reads the role; its policy is compared by readRolePolicy.
func readRole(ctx context.Context, op *regionOp) error {
	ids := op.ids
	if ids.RoleName == "" {
		return nil
	}
	info, err := findRole(ctx, op.e.c.IAM(ctx), ids.RoleName)
	switch {
	case awsapi.IsNotFound(err):
		ids.RoleName, ids.RoleARN = "", ""
		op.missing("IAM role")
		return nil
	case err != nil:
		return op.fail("reading the IAM role", err)
	}
	ids.RoleARN = info.ARN
	op.role = info
	if !sameJSON(info.Trust, trustPolicy) {
		op.note("IAM role: the trust policy no longer lets only Lambda assume it")
	}
	if extra := info.extraPermissions(); extra != "" {
		op.note("IAM role: has permissions beyond the " + contract.RolePolicyName + " policy (" + extra + ")")
	}
	op.tagDrift("IAM role", info.Tags)
	return nil
}

func deleteRoleObject(ctx context.Context, op *regionOp) error {
	if op.ids.RoleName == "" {
		return nil
	}
	if err := deleteRole(ctx, op.e.c.IAM(ctx), op.ids.RoleName); err != nil {
		return op.fail("deleting the IAM role", err)
	}
	op.ids.RoleName, op.ids.RoleARN = "", ""
	return nil
}
