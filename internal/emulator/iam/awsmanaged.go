package iam

import (
	"crypto/sha256"
	"encoding/base32"
	"strconv"
	"time"
)

// AWS managed policies the emulator knows. Documents are those of the
// policies' current default versions as AWS publishes them in the AWS
// Managed Policy Reference; only the default version is held.
const (
	LambdaBasicExecutionRoleARN     = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
	LambdaSQSQueueExecutionRoleARN  = "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole"
	LambdaVPCAccessExecutionRoleARN = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
)

type awsPolicySeed struct {
	arn, description, version, document string
	created, updated                    string
}

var awsPolicySeeds = []awsPolicySeed{
	{
		arn:         LambdaBasicExecutionRoleARN,
		description: "Provides write permissions to CloudWatch Logs.",
		version:     "v1",
		created:     "2015-04-09T15:03:43Z",
		updated:     "2015-04-09T15:03:43Z",
		document: `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents"
      ],
      "Resource": "*"
    }
  ]
}`,
	},
	{
		arn:         LambdaSQSQueueExecutionRoleARN,
		description: "Provides receive message, delete message, and read attribute access to SQS queues, and write permissions to CloudWatch logs.",
		version:     "v2",
		created:     "2016-06-14T21:50:45Z",
		updated:     "2018-06-14T20:56:11Z",
		document: `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents"
      ],
      "Resource": "*"
    }
  ]
}`,
	},
	{
		arn:         LambdaVPCAccessExecutionRoleARN,
		description: "Provides minimum permissions for a Lambda function to execute while accessing a resource within a VPC - create, describe, delete network interfaces and write permissions to CloudWatch Logs.",
		version:     "v3",
		created:     "2016-02-11T23:15:26Z",
		updated:     "2024-01-05T22:38:00Z",
		document: `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "AWSLambdaVPCAccessExecutionPermissions",
      "Effect": "Allow",
      "Action": [
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "ec2:CreateNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSubnets",
        "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses"
      ],
      "Resource": "*"
    }
  ]
}`,
	},
}

// awsManagedPolicies builds the seeded AWS managed policies. Their policy
// ids are derived from their ARNs (stable, but not AWS's real ids).
func awsManagedPolicies() []*managedPolicy {
	var out []*managedPolicy
	for _, seed := range awsPolicySeeds {
		created, _ := time.Parse(time.RFC3339, seed.created)
		updated, _ := time.Parse(time.RFC3339, seed.updated)
		name := seed.arn[lastSlash(seed.arn)+1:]
		path := seed.arn[len("arn:aws:iam::aws:policy") : len(seed.arn)-len(name)]
		n, _ := strconv.Atoi(seed.version[1:])
		out = append(out, &managedPolicy{
			name: name, path: path, arn: seed.arn, id: "ANPA" + stableID(seed.arn, 17),
			description: seed.description, created: created, updated: updated,
			versions:    []*policyVersion{{id: seed.version, number: n, document: seed.document, created: updated}},
			nextVersion: n + 1, defaultID: seed.version, awsManaged: true,
		})
	}
	return out
}

// stableID derives an upper-case alphanumeric id of length n from s.
func stableID(s string, n int) string {
	sum := sha256.Sum256([]byte(s))
	return base32.StdEncoding.EncodeToString(sum[:])[:n]
}
