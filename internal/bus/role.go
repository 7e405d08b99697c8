package bus

import (
	"context"
	"encoding/json"
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

// roleInputs are what the role policy depends on.
type roleInputs struct {
	Bus, Region      string
	QueueARN, DLQARN string
	AuthSecretARN    string
	KMSKeyID         string
	VPC              bool
}

type statement struct {
	Sid       string         `json:"Sid"`
	Effect    string         `json:"Effect"`
	Action    []string       `json:"Action"`
	Resource  any            `json:"Resource"`
	Condition map[string]any `json:"Condition,omitempty"`
}

// rolePolicy is the least-privilege inline policy of a region's consumer:
// its own queue, its own DLQ, its own log group, its own secret and key,
// and the network interface permissions Lambda needs in a VPC.
func rolePolicy(in roleInputs) string {
	q, _ := parseARN(in.QueueARN)
	partition, account := q.Partition, q.Account
	logGroup := fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s", partition, in.Region, account, contract.LogGroupName(in.Bus))
	sts := []statement{
		{
			Sid:      "ConsumeQueue",
			Effect:   "Allow",
			Action:   []string{"sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"},
			Resource: in.QueueARN,
		},
		{
			// The consumer sends poison messages to the DLQ itself, with the reason.
			Sid:      "DeadLetter",
			Effect:   "Allow",
			Action:   []string{"sqs:SendMessage"},
			Resource: in.DLQARN,
		},
		{
			Sid:      "Logs",
			Effect:   "Allow",
			Action:   []string{"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"},
			Resource: []string{logGroup, logGroup + ":*"},
		},
	}
	if in.AuthSecretARN != "" {
		sts = append(sts, statement{
			Sid:      "RedisAuthSecret",
			Effect:   "Allow",
			Action:   []string{"secretsmanager:GetSecretValue"},
			Resource: in.AuthSecretARN,
		})
	}
	if in.KMSKeyID != "" {
		// Receiving from an SSE-KMS queue needs kms:Decrypt; sending to the
		// (equally encrypted) DLQ needs kms:GenerateDataKey too.
		st := statement{
			Sid:    "QueueKey",
			Effect: "Allow",
			Action: []string{"kms:Decrypt", "kms:GenerateDataKey"},
		}
		switch {
		case strings.HasPrefix(in.KMSKeyID, "arn:") && strings.Contains(in.KMSKeyID, ":alias/"):
			alias := in.KMSKeyID[strings.Index(in.KMSKeyID, ":alias/")+1:]
			st.Resource = fmt.Sprintf("arn:%s:kms:%s:%s:key/*", partition, in.Region, account)
			st.Condition = map[string]any{"ForAnyValue:StringEquals": map[string]any{"kms:ResourceAliases": alias}}
		case strings.HasPrefix(in.KMSKeyID, "arn:"):
			st.Resource = in.KMSKeyID
		case strings.HasPrefix(in.KMSKeyID, "alias/"):
			// A policy cannot name a key by alias; the condition can.
			st.Resource = fmt.Sprintf("arn:%s:kms:%s:%s:key/*", partition, in.Region, account)
			st.Condition = map[string]any{"ForAnyValue:StringEquals": map[string]any{"kms:ResourceAliases": in.KMSKeyID}}
		default:
			st.Resource = fmt.Sprintf("arn:%s:kms:%s:%s:key/%s", partition, in.Region, account, in.KMSKeyID)
		}
		sts = append(sts, st)
	}
	if in.VPC {
		sts = append(sts, statement{
			Sid:    "VPCNetworkInterfaces",
			Effect: "Allow",
			Action: []string{"ec2:AssignPrivateIpAddresses", "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface",
				"ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:UnassignPrivateIpAddresses"},
			Resource: "*",
		})
	}
	b, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": sts})
	return string(b)
}

func iamTags(tags map[string]string) []iamtypes.Tag {
	var out []iamtypes.Tag
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		out = append(out, iamtypes.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	return out
}

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
	if awsapi.IsA[*iamtypes.EntityAlreadyExistsException](err) {
		return "", fmt.Errorf("an IAM role named %s already exists and is not in this bus's state: import the bus (terraform import) or delete the role: %w", name, err)
	}
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

func putRolePolicy(ctx context.Context, c *iam.Client, role, doc string) error {
	_, err := c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(contract.RolePolicyName), PolicyDocument: aws.String(doc)})
	return err
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
