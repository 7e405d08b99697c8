package iampolicy

import "testing"

const queuePolicy = `{
  "Version": "2012-10-17",
  "Statement": [{
    "Sid": "AllowTopic",
    "Effect": "Allow",
    "Principal": {"Service": "sns.amazonaws.com"},
    "Action": "sqs:SendMessage",
    "Resource": "arn:aws:sqs:ap-south-1:123456789012:orders",
    "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:ap-southeast-1:123456789012:bus"}}
  }]
}`

func TestQueuePolicyScopedToTopic(t *testing.T) {
	d, err := Parse(queuePolicy, ResourcePolicy)
	if err != nil {
		t.Fatal(err)
	}
	base := Context{
		Action:           "sqs:SendMessage",
		Resource:         "arn:aws:sqs:ap-south-1:123456789012:orders",
		PrincipalService: "sns.amazonaws.com",
		Keys:             map[string]string{"aws:SourceArn": "arn:aws:sns:ap-southeast-1:123456789012:bus"},
	}
	cases := []struct {
		name string
		mod  func(c *Context)
		want Decision
	}{
		{"own topic", func(*Context) {}, Allow},
		{"other topic", func(c *Context) {
			c.Keys = map[string]string{"aws:SourceArn": "arn:aws:sns:ap-southeast-1:123456789012:other"}
		}, ImplicitDeny},
		{"no source arn", func(c *Context) { c.Keys = nil }, ImplicitDeny},
		{"other action", func(c *Context) { c.Action = "sqs:DeleteMessage" }, ImplicitDeny},
		{"action case-insensitive", func(c *Context) { c.Action = "SQS:sendmessage" }, Allow},
		{"other queue", func(c *Context) { c.Resource = "arn:aws:sqs:ap-south-1:123456789012:other" }, ImplicitDeny},
		{"other principal", func(c *Context) { c.PrincipalService = "events.amazonaws.com" }, ImplicitDeny},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := base
			tc.mod(&c)
			if got := d.Evaluate(c, ResourcePolicy); got != tc.want {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestExplicitDenyWins(t *testing.T) {
	allow, err := Parse(`{"Statement":{"Effect":"Allow","Action":"sqs:*","Resource":"*"}}`, IdentityPolicy)
	if err != nil {
		t.Fatal(err)
	}
	deny, err := Parse(`{"Statement":[{"Effect":"Deny","Action":"sqs:DeleteQueue","Resource":"arn:aws:sqs:*:*:prod-*"}]}`, IdentityPolicy)
	if err != nil {
		t.Fatal(err)
	}
	docs := []*Document{allow, deny}
	if got := EvaluateAll(docs, Context{Action: "sqs:DeleteQueue", Resource: "arn:aws:sqs:us-east-1:1:prod-a"}, IdentityPolicy); got != ExplicitDeny {
		t.Fatalf("delete prod: got %v", got)
	}
	if got := EvaluateAll(docs, Context{Action: "sqs:DeleteQueue", Resource: "arn:aws:sqs:us-east-1:1:dev-a"}, IdentityPolicy); got != Allow {
		t.Fatalf("delete dev: got %v", got)
	}
	if got := EvaluateAll(docs, Context{Action: "sns:Publish", Resource: "arn:aws:sns:us-east-1:1:t"}, IdentityPolicy); got != ImplicitDeny {
		t.Fatalf("sns: got %v", got)
	}
}

func TestNegatedConditionWithMissingKey(t *testing.T) {
	d, err := Parse(`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sqs:SendMessage","Resource":"*",
	  "Condition":{"StringNotEquals":{"aws:SourceAccount":"999"}}}]}`, ResourcePolicy)
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Evaluate(Context{Action: "sqs:SendMessage", Resource: "arn:x", PrincipalService: "sns.amazonaws.com"}, ResourcePolicy); got != Allow {
		t.Fatalf("got %v", got)
	}
}

func TestParseRejects(t *testing.T) {
	for name, doc := range map[string]string{
		"not json":           `{`,
		"no statement":       `{"Version":"2012-10-17"}`,
		"bad effect":         `{"Statement":[{"Effect":"Maybe","Principal":"*","Action":"sqs:*"}]}`,
		"no action":          `{"Statement":[{"Effect":"Allow","Principal":"*"}]}`,
		"no principal":       `{"Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"*"}]}`,
		"bad version":        `{"Version":"2020-01-01","Statement":[{"Effect":"Allow","Principal":"*","Action":"sqs:*"}]}`,
		"unknown operator":   `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sqs:*","Condition":{"Fuzzy":{"a":"b"}}}]}`,
		"principal not star": `{"Statement":[{"Effect":"Allow","Principal":"sns","Action":"sqs:*"}]}`,
	} {
		if _, err := Parse(doc, ResourcePolicy); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestWildcard(t *testing.T) {
	for _, c := range []struct {
		p, s string
		want bool
	}{
		{"*", "", true}, {"a*c", "abbbc", true}, {"a*c", "abbbd", false}, {"a?c", "abc", true},
		{"arn:aws:sqs:*:123:q-*", "arn:aws:sqs:eu-west-1:123:q-1", true}, {"*b*b", "abab", true}, {"ab", "abc", false},
	} {
		if got := Wildcard(c.p, c.s); got != c.want {
			t.Errorf("Wildcard(%q,%q)=%v", c.p, c.s, got)
		}
	}
}

func TestMoreConditionOperators(t *testing.T) {
	doc := func(cond string) *Document {
		d, err := Parse(`{"Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":`+cond+`}]}`, IdentityPolicy)
		if err != nil {
			t.Fatalf("%s: %v", cond, err)
		}
		return d
	}
	cases := []struct {
		cond string
		keys map[string]string
		want Decision
	}{
		{`{"ForAnyValue:StringEquals":{"kms:ResourceAliases":["alias/regis","alias/other"]}}`, map[string]string{"kms:ResourceAliases": "alias/regis"}, Allow},
		{`{"ForAnyValue:StringEquals":{"kms:ResourceAliases":"alias/regis"}}`, map[string]string{"kms:ResourceAliases": "alias/nope"}, ImplicitDeny},
		{`{"ForAllValues:StringLike":{"aws:TagKeys":"team*"}}`, nil, Allow},
		{`{"NumericLessThanEquals":{"aws:MultiFactorAuthAge":"3600"}}`, map[string]string{"aws:MultiFactorAuthAge": "120"}, Allow},
		{`{"NumericGreaterThan":{"n":"10"}}`, map[string]string{"n": "9.5"}, ImplicitDeny},
		{`{"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}`, map[string]string{"aws:CurrentTime": "2026-11-22T00:00:00Z"}, Allow},
		{`{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, map[string]string{"aws:SourceIp": "10.1.2.3"}, Allow},
		{`{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, map[string]string{"aws:SourceIp": "10.1.2.3"}, ImplicitDeny},
		{`{"Null":{"aws:TokenIssueTime":"true"}}`, nil, Allow},
		{`{"Null":{"aws:TokenIssueTime":"false"}}`, nil, ImplicitDeny},
	}
	for _, c := range cases {
		if got := doc(c.cond).Evaluate(Context{Action: "kms:Decrypt", Resource: "arn:x", Keys: c.keys}, IdentityPolicy); got != c.want {
			t.Errorf("%s with %v: got %v, want %v", c.cond, c.keys, got, c.want)
		}
	}
	if _, err := Parse(`{"Statement":[{"Effect":"Allow","Action":"a:b","Resource":"*","Condition":{"Sometimes:StringEquals":{"k":"v"}}}]}`, IdentityPolicy); err == nil {
		t.Error("unknown set qualifier accepted")
	}
}
