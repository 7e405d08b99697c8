// Package regis is the publisher side of Regis, cross-region Redis
// replication. Services do not write the replicated Redis directly: they
// publish Redis commands to one SNS topic, SNS fans them out to an SQS queue
// in every region, and a consumer in each region applies them to that
// region's Redis. Delivery is at least once and in no particular order, so
// only idempotent commands are accepted.
//
// # Publishing
//
// A Publisher packs commands into messages, sends them with the SNS client
// it is given and reports each command's outcome:
//
//	client := sns.NewFromConfig(cfg)
//	pub, err := regis.NewPublisher(client, topicARN, regis.Options{
//		Origin: regis.Origin{Region: "ap-southeast-1", Service: "hotels"},
//	})
//	if err != nil { … }
//	defer pub.Close(context.Background())
//
//	res, err := pub.Set(ctx, "hotel:42", doc, regis.TTL(time.Hour))
//	if err != nil { … }          // refused: not sent
//	if err := res.Wait(ctx); err != nil { … } // optional: wait for SNS
//
// The typed methods (Set, Del, MSet, HSet, HDel, SAdd, SRem, ZAdd, ZRem,
// Expire, PExpireAt, Persist) build canonical commands; Do takes any
// command and checks it against the allow-list. A command that cannot be
// replicated safely is refused with a *CommandError when it is published,
// never later.
//
// Relative expiry (SET … EX, EXPIRE, regis.TTL) becomes an absolute time
// when published, because a relative TTL redelivered an hour later would
// keep the key an hour longer.
//
// # Ordering
//
// Messages can arrive out of order. When two writes to one key can race,
// set Options.Ordered: each command then carries a version from a hybrid
// logical clock (see VersionTime) and consumers apply a write only if its
// version is newer than the key's.
//
// # Wire format
//
// Messages are JSON, version 1, specified in docs/wire-format.md for
// publishers in other languages: Encode and Decode read and write them,
// Normalize and Validate hold the allow-list.
package regis
