package bus

// The regis_bus resource's own deletions, for the sweepers (sweep_test.go):
// they delete a leaked object as the resource would (policies before the
// role, retries while Lambda is busy, a mapping gone before its function
// and queue) and treat a missing object as deleted.
var (
	SweepDeleteMapping      = deleteMapping
	SweepWaitMappingDeleted = waitMappingDeleted
	SweepDeleteFunction     = deleteFunction
	SweepDeleteQueue        = deleteQueue
	SweepDeleteTopic        = deleteTopic
	SweepDeleteRole         = deleteRole
	SweepDeleteAlarms       = deleteAlarms
)
