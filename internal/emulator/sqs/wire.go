package sqs

import (
	"net/http"
	"regexp"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// SQS's two wire encodings. AWS serves both for every operation
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-making-api-requests.html):
//
//   - JSON 1.0 (sqs-json-api-requests.html): X-Amz-Target: AmazonSQS.<Op>;
//     errors carry the Smithy shape in __type and, SQS being
//     awsQueryCompatible, the query code in x-amzn-query-error.
//   - the query protocol (sqs-xml-api-responses.html): Action=<Op> in a form,
//     <OpResponse> XML out, <ErrorResponse> with the query code
//     ("AWS.SimpleQueueService.NonExistentQueue", "QueueAlreadyExists", …).
//
// Members whose query names differ from the JSON ones carry query tags
// (core.DecodeForm), as in SQS's 2012-11-05 model: e.g. AttributeNames is
// the flattened AttributeName.N, Attributes the flattened
// Attribute.N.Name / Attribute.N.Value.

// Namespace is the xmlns of SQS's query-protocol responses.
const Namespace = "http://queue.amazonaws.com/doc/2012-11-05/"

type handler func(s *Service, req *core.Request) (any, *core.APIError)

var handlers = map[string]handler{
	"CreateQueue":                  (*Service).createQueue,
	"GetQueueUrl":                  (*Service).getQueueURL,
	"DeleteQueue":                  (*Service).deleteQueue,
	"ListQueues":                   (*Service).listQueues,
	"GetQueueAttributes":           (*Service).getQueueAttributes,
	"SetQueueAttributes":           (*Service).setQueueAttributes,
	"TagQueue":                     (*Service).tagQueue,
	"UntagQueue":                   (*Service).untagQueue,
	"ListQueueTags":                (*Service).listQueueTags,
	"AddPermission":                (*Service).addPermission,
	"RemovePermission":             (*Service).removePermission,
	"PurgeQueue":                   (*Service).purgeQueue,
	"ListDeadLetterSourceQueues":   (*Service).listDeadLetterSourceQueues,
	"SendMessage":                  (*Service).sendMessage,
	"SendMessageBatch":             (*Service).sendMessageBatch,
	"ReceiveMessage":               (*Service).receiveMessage,
	"DeleteMessage":                (*Service).deleteMessage,
	"DeleteMessageBatch":           (*Service).deleteMessageBatch,
	"ChangeMessageVisibility":      (*Service).changeMessageVisibility,
	"ChangeMessageVisibilityBatch": (*Service).changeMessageVisibilityBatch,
	"StartMessageMoveTask":         (*Service).startMessageMoveTask,
	"ListMessageMoveTasks":         (*Service).listMessageMoveTasks,
	"CancelMessageMoveTask":        (*Service).cancelMessageMoveTask,
}

func newAPI(s *Service) *core.API {
	api := &core.API{
		Wires: []core.Wire{
			jsonWire{core.JSONWire{JSONProtocol: core.JSONProtocol{
				Version:         "1.0",
				TargetPrefix:    "AmazonSQS",
				ErrorNamespace:  "com.amazonaws.sqs#",
				QueryCompatible: true,
			}}},
			queryWire{core.QueryWire{QueryProtocol: core.QueryProtocol{Namespace: Namespace}}},
		},
		Handlers:  make(map[string]core.Handler, len(handlers)),
		Authorize: s.authorize,
	}
	for op, h := range handlers {
		api.Handlers[op] = func(req *core.Request) (any, *core.APIError) { return h(s, req) }
	}
	return api
}

// jsonWire is SQS's awsJson1_0. A few errors come from AWS's generic
// validation layer and carry its namespace and an "Exception" suffix, as
// the real service sends them.
type jsonWire struct{ core.JSONWire }

var coralErrors = map[string]string{
	"InvalidParameterValue": "InvalidParameterValueException",
	"AccessDenied":          "AccessDeniedException",
}

// WriteError implements core.Protocol.
func (p jsonWire) WriteError(w http.ResponseWriter, req *core.Request, e *core.APIError) {
	if typ, ok := coralErrors[e.Code]; ok {
		jp := p.JSONWire
		jp.ErrorNamespace = "com.amazon.coral.service#"
		c := *e
		if c.QueryCode == "" {
			c.QueryCode = e.Code
		}
		c.Code = typ
		jp.WriteError(w, req, &c)
		return
	}
	p.JSONWire.WriteError(w, req, e)
}

// queryWire is SQS's query protocol. Query clients may also post to the
// queue's own URL (https://sqs.<region>.amazonaws.com/<account>/<name>)
// instead of naming it in QueueUrl, as the older SDKs do: the path then
// stands for the queue.
type queryWire struct{ core.QueryWire }

var queuePathRE = regexp.MustCompile(`^/(\d{12})/([A-Za-z0-9_-]{1,80}(\.fifo)?)$`)

// Parse implements core.Wire.
func (p queryWire) Parse(r *http.Request) (string, core.Input, *core.APIError) {
	op, in, err := p.QueryWire.Parse(r)
	if err != nil {
		return op, in, err
	}
	if in.Param("QueueUrl") == "" && queuePathRE.MatchString(r.URL.Path) {
		r.Form.Set("QueueUrl", "https://"+r.Host+r.URL.Path)
	}
	return op, in, nil
}
