package core

import "time"

// LogEvent is one CloudWatch Logs event.
type LogEvent struct {
	Time    time.Time
	Message string
}

// ServiceLogWrite is a batch of log events an AWS service writes to a
// customer's log group on the customer's behalf, as Lambda does with a
// function's output (with the function's execution role).
type ServiceLogWrite struct {
	Region string
	Group  string
	Stream string
	Events []LogEvent
	// CreateGroup and CreateStream allow the write to create the group and
	// the stream when they do not exist (the writer may call
	// logs:CreateLogGroup and logs:CreateLogStream).
	CreateGroup, CreateStream bool
}

// LogSink is implemented by the CloudWatch Logs service. WriteServiceLogs
// stores the events (in time order), creating the group and stream when
// allowed; it answers ResourceNotFoundException, without storing anything,
// when the group or stream is missing and may not be created.
type LogSink interface {
	WriteServiceLogs(w ServiceLogWrite) *APIError
}
