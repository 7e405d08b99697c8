package sns_test

import (
	"strings"
	"testing"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/sns"
)

func str(v string) core.MessageAttribute {
	return core.MessageAttribute{DataType: "String", StringValue: v}
}
func num(v string) core.MessageAttribute {
	return core.MessageAttribute{DataType: "Number", StringValue: v}
}
func arr(v string) core.MessageAttribute {
	return core.MessageAttribute{DataType: "String.Array", StringValue: v}
}

type attrs = map[string]core.MessageAttribute

func TestFilterPolicyAttributes(t *testing.T) {
	for _, tc := range []struct {
		policy string
		attrs  attrs
		want   bool
	}{
		{`{"store":["example_corp"]}`, attrs{"store": str("example_corp")}, true},
		{`{"store":["example_corp"]}`, attrs{"store": str("other")}, false},
		{`{"store":["example_corp"]}`, attrs{}, false},
		{`{"store":["a"],"event":["b"]}`, attrs{"store": str("a")}, false},
		{`{"store":["a"],"event":["b"]}`, attrs{"store": str("a"), "event": str("b"), "extra": str("x")}, true},
		// String.Array: any element.
		{`{"interests":["rugby"]}`, attrs{"interests": arr(`["soccer","rugby"]`)}, true},
		{`{"interests":["golf"]}`, attrs{"interests": arr(`["soccer","rugby"]`)}, false},
		{`{"interests":["golf"]}`, attrs{"interests": arr(`not an array`)}, false},
		{`{"n":[{"numeric":["=",3]}]}`, attrs{"n": arr(`[1, 3]`)}, true},
		// Numbers: typed, exact and ranges.
		{`{"price":[100]}`, attrs{"price": num("100.0")}, true},
		{`{"price":[100]}`, attrs{"price": str("100")}, false},
		{`{"price":["100"]}`, attrs{"price": num("100")}, false},
		{`{"price":[{"numeric":["=",301.5]}]}`, attrs{"price": num("3.015e2")}, true},
		{`{"price":[{"numeric":[">",0,"<=",150]}]}`, attrs{"price": num("150")}, true},
		{`{"price":[{"numeric":[">",0,"<=",150]}]}`, attrs{"price": num("150.01")}, false},
		{`{"price":[{"numeric":["<",0]}]}`, attrs{"price": num("-1")}, true},
		{`{"price":[{"numeric":["<",0]}]}`, attrs{"price": str("-1")}, false},
		// prefix, suffix, equals-ignore-case.
		{`{"cmd":[{"prefix":"H"}]}`, attrs{"cmd": str("HSET")}, true},
		{`{"cmd":[{"prefix":"H"}]}`, attrs{"cmd": str("SET")}, false},
		{`{"f":[{"suffix":".png"}]}`, attrs{"f": str("a.png")}, true},
		{`{"c":[{"equals-ignore-case":"set"}]}`, attrs{"c": str("SeT")}, true},
		// anything-but.
		{`{"cmd":[{"anything-but":["DEL","UNLINK"]}]}`, attrs{"cmd": str("SET")}, true},
		{`{"cmd":[{"anything-but":["DEL","UNLINK"]}]}`, attrs{"cmd": str("DEL")}, false},
		{`{"cmd":[{"anything-but":"DEL"}]}`, attrs{}, false},
		{`{"price":[{"anything-but":[100,500]}]}`, attrs{"price": num("100.1")}, true},
		{`{"price":[{"anything-but":[100,500]}]}`, attrs{"price": num("100")}, false},
		{`{"price":[{"anything-but":[100,500]}]}`, attrs{"price": arr(`[100, 50]`)}, true},
		{`{"cmd":[{"anything-but":{"prefix":"H"}}]}`, attrs{"cmd": str("HSET")}, false},
		{`{"cmd":[{"anything-but":{"prefix":"H"}}]}`, attrs{"cmd": str("SET")}, true},
		// exists.
		{`{"store":[{"exists":true}]}`, attrs{"store": str("x")}, true},
		{`{"store":[{"exists":true}]}`, attrs{"other": str("x")}, false},
		{`{"store":[{"exists":false}]}`, attrs{"other": str("x")}, true},
		{`{"store":[{"exists":false}]}`, attrs{"store": str("x")}, false},
		{`{"store":[{"exists":false}]}`, attrs{}, false}, // needs at least one attribute
		{`{"blob":[{"exists":true}]}`, attrs{"blob": {DataType: "Binary", BinaryValue: []byte{1}}}, true},
		{`{"blob":["x"]}`, attrs{"blob": {DataType: "Binary", BinaryValue: []byte("x")}}, false},
		// cidr.
		{`{"ip":[{"cidr":"10.0.0.0/24"}]}`, attrs{"ip": str("10.0.0.255")}, true},
		{`{"ip":[{"cidr":"10.0.0.0/24"}]}`, attrs{"ip": str("10.0.1.1")}, false},
		// $or.
		{`{"$or":[{"a":["1"]},{"b":["2"]}]}`, attrs{"b": str("2")}, true},
		{`{"$or":[{"a":["1"]},{"b":["2"]}]}`, attrs{"c": str("3")}, false},
		{`{"k":["v"],"$or":[{"a":["1"]},{"b":["2"]}]}`, attrs{"a": str("1")}, false},
		{`{"k":["v"],"$or":[{"a":["1"]},{"b":["2"]}]}`, attrs{"a": str("1"), "k": str("v")}, true},
		// Custom data types keep their base type.
		{`{"n":[{"numeric":[">=",10]}]}`, attrs{"n": {DataType: "Number.int", StringValue: "10"}}, true},
	} {
		fp, err := sns.ParseFilterPolicy(tc.policy, sns.ScopeMessageAttributes)
		if err != nil {
			t.Fatalf("%s: %v", tc.policy, err)
		}
		if got := fp.Match("body", tc.attrs); got != tc.want {
			t.Errorf("%s on %v = %v, want %v", tc.policy, tc.attrs, got, tc.want)
		}
	}
}

func TestFilterPolicyBody(t *testing.T) {
	for _, tc := range []struct {
		policy, body string
		want         bool
	}{
		{`{"cmd":["SET"]}`, `{"cmd":"SET"}`, true},
		{`{"cmd":["SET"]}`, `{"cmd":"DEL"}`, false},
		{`{"cmd":["SET"]}`, `not json`, false},
		{`{"cmd":["SET"]}`, `["SET"]`, false},
		{`{"a":{"b":{"c":[1]}}}`, `{"a":{"b":{"c":1}}}`, true},
		{`{"a":{"b":{"c":[1]}}}`, `{"a":{"b":{"c":"1"}}}`, false},
		{`{"a":{"b":["x"]}}`, `{"a":[{"b":"y"},{"b":"x"}]}`, true},
		{`{"tags":["red"]}`, `{"tags":["blue","red"]}`, true},
		{`{"ok":[true]}`, `{"ok":true}`, true},
		{`{"ok":[true]}`, `{"ok":"true"}`, false},
		{`{"v":[null]}`, `{"v":null}`, true},
		{`{"v":[{"exists":true}]}`, `{"v":null}`, false},
		{`{"v":[{"exists":false}]}`, `{"w":1}`, true},
		{`{"n":[{"numeric":[">=",1,"<",2]}]}`, `{"n":1.5}`, true},
		{`{"n":[{"numeric":[">=",1,"<",2]}]}`, `{"n":2}`, false},
		{`{"$or":[{"a":{"b":["1"]}},{"c":["2"]}]}`, `{"a":{"b":"1"}}`, true},
	} {
		fp, err := sns.ParseFilterPolicy(tc.policy, sns.ScopeMessageBody)
		if err != nil {
			t.Fatalf("%s: %v", tc.policy, err)
		}
		if got := fp.Match(tc.body, nil); got != tc.want {
			t.Errorf("%s on %s = %v, want %v", tc.policy, tc.body, got, tc.want)
		}
	}
}

func TestFilterPolicyValidation(t *testing.T) {
	for _, tc := range []struct{ policy, scope, msg string }{
		{`nope`, "", "failed to parse JSON"},
		{`["a"]`, "", "JSON object"},
		{`{"a":"b"}`, "", "must be an object or an array"},
		{`{"a":[]}`, "", "Empty arrays are not allowed"},
		{`{"a":{"b":["c"]}}`, sns.ScopeMessageAttributes, "does not support nested"},
		{`{"a":[{"prefix":1}]}`, "", "prefix match pattern must be a string"},
		{`{"a":[{"numeric":["<"]}]}`, "", "must be numeric"},
		{`{"a":[{"numeric":["<",5,">",1]}]}`, "", "Bad numeric range operator"},
		{`{"a":[{"numeric":[">",5,"<",1]}]}`, "", "Bottom must be less than top"},
		{`{"a":[{"numeric":["~",5]}]}`, "", "Unrecognized numeric range operator"},
		{`{"a":[{"exists":"yes"}]}`, "", "exists match pattern"},
		{`{"a":[{"wildcard":"*"}]}`, "", "Unrecognized match type wildcard"},
		{`{"a":[{"prefix":"x","suffix":"y"}]}`, "", "Only one key"},
		{`{"a":[["x"]]}`, "", "Match value must be"},
		{`{"a":[{"cidr":"10.0.0.0"}]}`, "", "CIDR"},
		{`{"a":[1],"b":[1],"c":[1],"d":[1],"e":[1],"f":[1]}`, "", "more than 5 keys"},
		{`{"a":[1,2,3,4,5,6],"b":[1,2,3,4,5],"c":[1,2,3,4,5,6]}`, "", "too complex"},
		{`{"$or":[{"a":["1"]}]}`, "", "$or"},
	} {
		_, err := sns.ParseFilterPolicy(tc.policy, tc.scope)
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: error %v, want one containing %q", tc.policy, err, tc.msg)
		}
	}
	var nilPolicy *sns.FilterPolicy
	if !nilPolicy.Match("x", nil) {
		t.Error("a nil policy must match everything")
	}
}
