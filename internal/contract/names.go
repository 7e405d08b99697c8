package contract

// Naming convention of a bus's AWS objects. Every object of a bus is named
// after the bus so that import can find it and a person can recognise it in
// the console:
//
//	SNS topic (home region)      <name>
//	SQS queue (each region)      <name>
//	SQS DLQ (each region)        <name>-dlq
//	Lambda function (each)       <name>-consumer
//	IAM role (global)            <name>-consumer-<region>
//	inline role policy           regis-consumer
//	CloudWatch alarms (each)     <name>-dlq-not-empty, <name>-oldest-message-age
//	log group (made by Lambda)   /aws/lambda/<name>-consumer
//
// Queues, functions and alarms are regional, so the same name is used in
// every region; IAM is global, so roles carry the region.

// Affixes of the derived names.
const (
	DLQSuffix      = "-dlq"
	FunctionSuffix = "-consumer"
	RoleInfix      = "-consumer-"
	DLQAlarmSuffix = "-dlq-not-empty"
	AgeAlarmSuffix = "-oldest-message-age"
)

// RolePolicyName is the name of the consumer role's inline policy.
const RolePolicyName = "regis-consumer"

// TopicName is the bus's SNS topic, in its home region.
func TopicName(bus string) string { return bus }

// QueueName is the bus's SQS queue in each region.
func QueueName(bus string) string { return bus }

// DLQName is the dead-letter queue of the bus's queue in each region.
func DLQName(bus string) string { return bus + DLQSuffix }

// FunctionName is the consumer Lambda function in each region.
func FunctionName(bus string) string { return bus + FunctionSuffix }

// RoleName is the consumer's IAM role for region (IAM is global).
func RoleName(bus, region string) string { return bus + RoleInfix + region }

// DLQAlarmName is the alarm on messages in the region's dead-letter queue.
func DLQAlarmName(bus string) string { return bus + DLQAlarmSuffix }

// AgeAlarmName is the alarm on the age of the oldest message of the queue.
func AgeAlarmName(bus string) string { return bus + AgeAlarmSuffix }

// LogGroupName is the consumer's CloudWatch Logs group (Lambda creates it).
func LogGroupName(bus string) string { return "/aws/lambda/" + FunctionName(bus) }
