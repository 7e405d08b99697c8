package core

import (
	"bytes"
	"testing"
	"time"
)

// The query protocol's lists and maps, flattened and not
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/sqs-api-request-parameters.html,
// and SNS/IAM's member.N and entry.N forms).
type codecIn struct {
	Name    string            `json:"Name"`
	Count   *int64            `json:"Count"`
	On      bool              `json:"On"`
	Blob    []byte            `json:"Blob"`
	At      time.Time         `json:"At"`
	Members []string          `json:"Members"`
	Flat    []string          `json:"Flats" query:"Flat,flat"`
	Attrs   map[string]string `json:"Attributes"`
	FlatMap map[string]string `json:"Tags" query:"Tag,flat,key=Key,value=Value"`
	Nested  []struct {
		ID string `json:"Id"`
	} `json:"Entries" query:"Entry,flat"`
}

func TestDecodeFormListsAndMaps(t *testing.T) {
	params := map[string][]string{
		"Name": {"n"}, "Count": {"7"}, "On": {"true"}, "Blob": {"AAEC"}, "At": {"2024-05-01T10:00:00Z"},
		"Members.member.1": {"a"}, "Members.member.2": {"b"},
		"Flat.1": {"x"}, "Flat.2": {"y"}, "Flat.3": {"z"},
		"Attributes.entry.1.key": {"k1"}, "Attributes.entry.1.value": {"v1"},
		"Tag.1.Key": {"team"}, "Tag.1.Value": {"data"}, "Tag.2.Key": {"empty"},
		"Entry.1.Id": {"e1"}, "Entry.2.Id": {"e2"},
	}
	var in codecIn
	if err := DecodeForm(params, &in); err != nil {
		t.Fatal(err)
	}
	if in.Name != "n" || in.Count == nil || *in.Count != 7 || !in.On || !bytes.Equal(in.Blob, []byte{0, 1, 2}) ||
		!in.At.Equal(time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)) {
		t.Fatalf("scalars %+v", in)
	}
	if len(in.Members) != 2 || in.Members[1] != "b" || len(in.Flat) != 3 || in.Flat[2] != "z" {
		t.Fatalf("lists %+v %+v", in.Members, in.Flat)
	}
	if in.Attrs["k1"] != "v1" || in.FlatMap["team"] != "data" || len(in.FlatMap) != 2 || in.FlatMap["empty"] != "" {
		t.Fatalf("maps %+v %+v", in.Attrs, in.FlatMap)
	}
	if len(in.Nested) != 2 || in.Nested[1].ID != "e2" {
		t.Fatalf("entries %+v", in.Nested)
	}

	var bad codecIn
	if err := DecodeForm(map[string][]string{"Count": {"seven"}}, &bad); err == nil || err.Code != "InvalidParameterValue" {
		t.Fatalf("malformed integer: %v", err)
	}
}

func TestEncodeXMLListsMapsAndEscaping(t *testing.T) {
	out := struct {
		Flat    []string          `json:"Urls" query:"Url,flat"`
		Members []string          `json:"Members"`
		Map     map[string]string `json:"Attributes" query:"Attribute,flat,key=Name,value=Value"`
		Entries map[string]string `json:"Entries"`
		Skipped *string           `json:"Skipped"`
		Empty   string            `json:"Empty,omitempty"`
		Flag    bool              `json:"Flag"`
		Body    string            `json:"Body"`
	}{
		Flat: []string{"u1", "u2"}, Members: []string{"m"},
		Map:     map[string]string{"b": "2", "a": "1"},
		Entries: map[string]string{"k": "v"},
		Flag:    true, Body: "a\"b'c&d<e>f\r\ng\th",
	}
	var buf bytes.Buffer
	EncodeXML(&buf, out)
	want := "<Url>u1</Url><Url>u2</Url><Members><member>m</member></Members>" +
		"<Attribute><Name>a</Name><Value>1</Value></Attribute><Attribute><Name>b</Name><Value>2</Value></Attribute>" +
		"<Entries><entry><key>k</key><value>v</value></entry></Entries>" +
		"<Flag>true</Flag><Body>a&quot;b&apos;c&amp;d&lt;e&gt;f&#xD;\ng\th</Body>"
	if buf.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", buf.String(), want)
	}
}
