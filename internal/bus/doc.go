// Package bus implements the regis_bus resource and the regis_bus_status
// data source: a whole Regis replication bus — one SNS topic in the home
// region, and in every region a queue and dead-letter queue subscribed to
// it, the bundled consumer Lambda, its IAM role, the event source mapping
// and alarms — as one Terraform resource.
//
// # Files
//
//	bus_resource.go            the resource: plan (ModifyPlan), CRUD, import
//	bus_status_data_source.go  the data source
//	schema.go, model.go        schema, Terraform models, the Go spec (busSpec)
//	validate.go                validators and the cross-attribute rules of ValidateConfig
//	names.go                   limits of the bus name (names and regions: internal/contract, internal/regions)
//	engine.go                  per-region ensure / delete / read
//	topic.go queue.go role.go function.go mapping.go alarms.go
//	                           one AWS object kind each (find / create / converge / delete)
//	code.go, consumerzip/      the consumer package: consumer_zip or the embedded zips
//	retry.go                   retries beyond the SDK retryer (IAM propagation, QueueDeletedRecently)
//
// # State layout
//
// The bus is identified by its topic ARN (id, topic_arn). Each element of
// regions holds the region's arguments and the identifiers of its objects:
// queue_url/queue_arn, dlq_url/dlq_arn, subscription_arn, role_name/role_arn,
// function_name/function_arn, event_source_mapping_id, dlq_alarm_name,
// oldest_message_age_alarm_name, and consumer_code_sha256 (the deployed
// package) and drift (what refresh found that no argument shows).
//
// # Partial state
//
// An identifier is set in the region's regionIDs the moment AWS returns it
// and cleared the moment the object is gone, and every Create, Update and
// Delete writes the state from those ids before it returns, error or not.
// So the state always lists exactly what exists: a failed create leaves a
// tainted bus that Terraform replaces (deleting what was recorded), a failed
// update leaves the region marked in drift so the next apply finishes it, a
// failed delete keeps what is left. Regions run in parallel and a failure in
// one does not interrupt the others mid-step.
//
// # Plan
//
// ModifyPlan copies the recorded ids of existing regions into the plan,
// derives the alarm names from the arguments, computes each region's
// consumer_code_sha256 from the package it will deploy, and plans drift as
// empty. A region whose refreshed state differs (an object gone and its id
// cleared, drift found, a new package) therefore plans as an in-place update;
// Update converges only the regions whose planned value changed (or all of
// them when a bus-wide argument changed), creates added regions and deletes
// removed ones.
package bus
