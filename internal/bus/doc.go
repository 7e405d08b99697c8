// Package bus implements the regis_bus resource and the regis_bus_status
// data source: a whole Regis replication bus — one SNS topic in the home
// region, and in every region a queue and dead-letter queue subscribed to
// it, the bundled consumer Lambda, its IAM role, the event source mapping
// and alarms — as one Terraform resource.
//
// # Files
//
//	bus_resource.go            the resource: plan (ModifyPlan, planRegion), CRUD
//	identity.go                the bus's id (name and home region), import, the state upgrader
//	bus_status_data_source.go  the data source
//	schema.go, model.go        schema, Terraform models, the Go spec (busSpec)
//	validate.go                validators and the cross-attribute rules of ValidateConfig
//	names.go                   limits of the bus name (names and regions: internal/contract, internal/regions)
//	engine.go                  the registry of object kinds and the per-region passes (ensure / read / delete)
//	topic.go                   the topic (one per bus)
//	dlq.go queue.go queue_policy.go subscription.go role.go role_policy.go
//	function.go mapping.go alarms.go
//	                           one kind of a region's objects each: its find helpers and its
//	                           ensure, read (returning drift) and delete
//	code.go, consumerzip/      the consumer package: consumer_zip or the embedded zips
//	retry.go                   retries beyond the SDK retryer (IAM propagation, QueueDeletedRecently)
//
// Finding a bus's objects by name, without a state, is internal/busdiscovery
// (import uses it, and so does the regis CLI).
//
// # Identity
//
// A bus is identified by what its owner controls: its name and home region
// (id "<name>@<home_region>"). Every object is named after the bus
// (internal/contract), so a bus survives the out-of-band deletion of any of
// its objects, the topic included: refresh notes the missing object in the
// region's drift and clears its id, and the next apply re-creates it (a new
// topic is subscribed from every region). Only when nothing of the bus is
// left — the topic and every recorded object — does refresh remove it from
// the state. Import takes the id or a topic ARN and finds the objects by
// name, also without the topic. Ensure adopts an object of the bus's name
// that exists outside the state (a queue refused with QueueNameExists, a role
// with EntityAlreadyExists, …) and brings it to the configuration, instead of
// failing on it. Schema version 0 had the topic ARN for id; UpgradeState
// rewrites it.
//
// # Reconcilers
//
// Each kind of a region's objects is a regionKind (engine.go): the dead-letter
// queue, the queue, the queue policy, the subscription, the IAM role, the
// role policy, the function, the event source mapping and the alarms.
// ensureRegion, readRegion and deleteRegion run the kinds in their orders
// (regionKinds, readOrder, deleteOrder), sharing one regionOp: the region's
// arguments, its ids, and what one kind hands to the next (the queue's
// current policy, the role found, the queue's attributes read). The topic is
// reconciled on its own before the regions (ensureTopic, readTopic).
// objectKinds lists every kind, topic first: the out-of-band catalogue of the
// tests covers each of them.
//
// # State layout
//
// Each element of regions holds the region's arguments and the identifiers
// of its objects: queue_url/queue_arn, dlq_url/dlq_arn, subscription_arn,
// role_name/role_arn, function_name/function_arn, event_source_mapping_id,
// dlq_alarm_name, oldest_message_age_alarm_name, and consumer_code_sha256
// (the deployed package) and drift (what refresh found that no argument
// shows, and the objects found missing). topic_arn is null while the topic is
// missing.
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
// ModifyPlan sets the id from the name and home region, and planRegion
// copies the recorded ids of existing regions into the plan, derives the
// alarm names from the arguments, computes each region's
// consumer_code_sha256 from the package it will deploy, and plans drift as
// empty. A region whose refreshed state differs (an object gone and its id
// cleared, drift found, a new package) therefore plans as an in-place update;
// Update converges only the regions whose planned value changed (or all of
// them when a bus-wide argument changed or the topic was re-created),
// creates added regions and deletes removed ones.
package bus
