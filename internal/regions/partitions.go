package regions

import "strings"

// Partition IDs.
const (
	AWS      = "aws"
	AWSCN    = "aws-cn"
	AWSUSGov = "aws-us-gov"
	AWSISO   = "aws-iso"
	AWSISOB  = "aws-iso-b"
	AWSISOE  = "aws-iso-e"
	AWSISOF  = "aws-iso-f"
)

// Partition is a group of AWS regions with its own ARNs, endpoints and
// credentials.
type Partition struct {
	ID string // as in ARNs: "aws", "aws-cn", …
	// GlobalRegion is the region global services (IAM, Route 53, STS's
	// global endpoint) are signed for.
	GlobalRegion string
	// prefixes start the names of the partition's regions; the commercial
	// partition has none (it takes every other name).
	prefixes []string
}

// partitions are the partitions this provider version knows; a region name
// belongs to the first whose prefix it has, else to aws.
var partitions = []Partition{
	{ID: AWSCN, GlobalRegion: "cn-north-1", prefixes: []string{"cn-"}},
	{ID: AWSUSGov, GlobalRegion: "us-gov-west-1", prefixes: []string{"us-gov-"}},
	{ID: AWSISOB, GlobalRegion: "us-isob-east-1", prefixes: []string{"us-isob-"}},
	{ID: AWSISOF, GlobalRegion: "us-isof-south-1", prefixes: []string{"us-isof-", "eu-isof-"}},
	{ID: AWSISOE, GlobalRegion: "eu-isoe-west-1", prefixes: []string{"eu-isoe-"}},
	{ID: AWSISO, GlobalRegion: "us-iso-east-1", prefixes: []string{"us-iso-"}},
	{ID: AWS, GlobalRegion: "us-east-1"},
}

// Partitions returns the partitions this provider version knows.
func Partitions() []Partition {
	return append([]Partition(nil), partitions...)
}

// PartitionOf returns the partition ID of a region name ("aws" for any
// name of no other partition, new regions included).
func PartitionOf(region string) string {
	for _, p := range partitions {
		for _, pre := range p.prefixes {
			if strings.HasPrefix(region, pre) {
				return p.ID
			}
		}
	}
	return AWS
}

// GlobalRegion returns the region global services are signed for in a
// partition (us-east-1 for aws and for an unknown partition).
func GlobalRegion(partition string) string {
	for _, p := range partitions {
		if p.ID == partition {
			return p.GlobalRegion
		}
	}
	return "us-east-1"
}
