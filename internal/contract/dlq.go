package contract

// Message attributes set on every dead letter.
const (
	AttrReason          = "regis.reason"            // a Reason… code
	AttrError           = "regis.error"             // the error, at most MaxErrorAttrLen bytes
	AttrSourceMessageID = "regis.source_message_id" // the SQS messageId in the source queue
	AttrOriginRegion    = "regis.origin_region"     // the message's origin region, when it decoded
	AttrBus             = "regis.bus"               // REGIS_BUS_NAME, when set
)

// MaxErrorAttrLen bounds the regis.error attribute.
const MaxErrorAttrLen = 1024

// Poison reasons: the machine codes sent to the DLQ as the regis.reason
// message attribute, logged, and counted as MessagesPoisoned_<reason>. A
// poison message can never be applied, so retrying it only burns receives.
const (
	// ReasonBadEnvelope: an SNS envelope (Type "Notification") without a
	// string Message.
	ReasonBadEnvelope = "bad_envelope"
	// ReasonEmptyBody: the SQS body is empty.
	ReasonEmptyBody = "empty_body"
	// ReasonNotRegis: JSON, but without the "regis" format version.
	ReasonNotRegis = "not_regis"
	// ReasonMalformed: not JSON, or a Regis message with a bad field.
	ReasonMalformed = "malformed"
	// ReasonUnknownVersion: a wire format version this consumer cannot read.
	ReasonUnknownVersion = "unknown_version"
	// ReasonBadCompression: unknown compression, bad base64 or bad gzip.
	ReasonBadCompression = "bad_compression"
	// ReasonTooLarge: compressed commands that expand past
	// regis.MaxDecompressedSize (a decompression bomb).
	ReasonTooLarge = "too_large"
	// ReasonNotIdempotent: a command redelivery would apply twice (INCR…).
	ReasonNotIdempotent = "not_idempotent"
	// ReasonNotAllowed: a command that is not on the allow-list.
	ReasonNotAllowed = "not_allowed"
	// ReasonBadArguments: an allowed command with wrong arity or options.
	ReasonBadArguments = "bad_arguments"
	// ReasonNotOrderable: an option ordered mode cannot version (NX, XX,
	// KEEPTTL, GT, LT, CH).
	ReasonNotOrderable = "not_orderable"
	// ReasonMissingVersion: ordered mode and a command without "ver".
	ReasonMissingVersion = "missing_version"
	// ReasonReservedKey: ordered mode and a key in the metadata namespace.
	ReasonReservedKey = "reserved_key"
	// ReasonWrongType: Redis answered WRONGTYPE.
	ReasonWrongType = "wrong_type"
	// ReasonRejected: Redis refused the command's arguments (ERR value is
	// not an integer or a valid float, invalid expire time, syntax error…).
	ReasonRejected = "redis_rejected"
)

// PoisonReasons lists every reason code.
var PoisonReasons = []string{
	ReasonBadEnvelope, ReasonEmptyBody, ReasonNotRegis, ReasonMalformed, ReasonUnknownVersion,
	ReasonBadCompression, ReasonTooLarge, ReasonNotIdempotent, ReasonNotAllowed, ReasonBadArguments,
	ReasonNotOrderable, ReasonMissingVersion, ReasonReservedKey, ReasonWrongType, ReasonRejected,
}
