package bus

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/regis-infra/terraform-provider-regis/internal/contract"
)

// The consumer role's inline policy (contract.RolePolicyName): the least
// privilege the consumer of one region needs. It is part of the role:
// deleteRole deletes it with the role.

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

func putRolePolicy(ctx context.Context, c *iam.Client, role, doc string) error {
	_, err := c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(contract.RolePolicyName), PolicyDocument: aws.String(doc)})
	return err
}

// rolePolicyFor is the role policy of op's region, from the queues' ARNs
// (also while a queue is gone: its ARN follows from its name).
func rolePolicyFor(op *regionOp, queueARN, dlqARN string) string {
	rs := op.rs
	return rolePolicy(roleInputs{Bus: op.e.spec.Name, Region: rs.Region, QueueARN: queueARN, DLQARN: dlqARN,
		AuthSecretARN: rs.Redis.AuthSecretARN, KMSKeyID: op.e.spec.KMSKeyID, VPC: rs.VPC != nil})
}

func ensureRolePolicy(ctx context.Context, op *regionOp) error {
	current := ""
	if op.role != nil {
		current = op.role.Policy
	}
	want := rolePolicyFor(op, op.ids.QueueARN, op.ids.DLQARN)
	if sameJSON(current, want) {
		return nil
	}
	if err := putRolePolicy(ctx, op.e.c.IAM(ctx), op.ids.RoleName, want); err != nil {
		return op.fail("putting the IAM role policy", err)
	}
	return nil
}

// readRolePolicy compares the role's policy with the one the bus puts,
// once the function has told whether the region uses a secret and a VPC.
func readRolePolicy(_ context.Context, op *regionOp) error {
	queueARN, dlqARN := op.queueARN(), op.dlqARN()
	if op.role == nil || queueARN == "" || dlqARN == "" {
		return nil
	}
	switch {
	case op.role.Policy == "":
		op.note("IAM role: the " + contract.RolePolicyName + " policy is missing")
	case !sameJSON(op.role.Policy, rolePolicyFor(op, queueARN, dlqARN)):
		op.note("IAM role: the " + contract.RolePolicyName + " policy was changed")
	}
	return nil
}

// deleteRolePolicy: the policy is deleted with its role.
func deleteRolePolicy(context.Context, *regionOp) error { return nil }
