package main

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
)

// runPlain runs the CLI with the real configuration loader; only commands
// that fail before any AWS call belong here.
func runPlain(t *testing.T, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

func TestUsage(t *testing.T) {
	const topic = "arn:aws:sns:ap-southeast-1:123456789012:regis"
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stdout string // substring
		stderr string // substring
	}{
		{"no command", nil, exitUsage, "", "Commands:"},
		{"help", []string{"help"}, exitOK, "regis <command> [flags]", ""},
		{"--help", []string{"--help"}, exitOK, "dlq", ""},
		{"help command", []string{"help", "status"}, exitOK, "--fail-on-dlq", ""},
		{"help subcommand", []string{"help", "dlq", "peek"}, exitOK, "--show-body", ""},
		{"command -h", []string{"publish", "-h"}, exitOK, "--origin-region", ""},
		{"dlq alone", []string{"dlq"}, exitUsage, "", "regis dlq peek"},
		{"dlq unknown", []string{"dlq", "purge"}, exitUsage, "", `unknown command "purge"`},
		{"unknown command", []string{"frobnicate"}, exitUsage, "", `unknown command "frobnicate"`},
		{"version", []string{"version"}, exitOK, "regis dev", ""},
		{"--version", []string{"--version"}, exitOK, "regis dev", ""},
		{"bad flag", []string{"status", "--nope"}, exitUsage, "", "flag provided but not defined: -nope"},
		{"no bus", []string{"status"}, exitUsage, "", "name the bus with --topic-arn"},
		{"both", []string{"status", "--topic-arn", topic, "--queue-url", "https://sqs.ap-south-1.amazonaws.com/1/q"}, exitUsage, "", "exclude each other"},
		{"bad arn", []string{"dlq", "peek", "--topic-arn", "arn:aws:sqs:ap-south-1:1:q"}, exitUsage, "", "is not an SNS topic ARN"},
		{"stray argument", []string{"status", "--topic-arn", topic, "extra"}, exitUsage, "", `unexpected argument "extra"`},
		{"peek max", []string{"dlq", "peek", "--topic-arn", topic, "--max", "0"}, exitUsage, "", "--max must be between"},
		{"publish no topic", []string{"publish", "--origin-region", "r", "--service", "s"}, exitUsage, "", "--topic-arn is required"},
		{"publish no origin", []string{"publish", "--topic-arn", topic, "--service", "s"}, exitUsage, "", "--origin-region is required"},
		{"publish no service", []string{"publish", "--topic-arn", topic, "--origin-region", "r"}, exitUsage, "", "--service is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runPlain(t, tc.args...)
			if r.code != tc.code || !strings.Contains(r.stdout, tc.stdout) || !strings.Contains(r.stderr, tc.stderr) {
				t.Errorf("regis %s → %d\nstdout %q\nstderr %q\nwant %d, stdout ∋ %q, stderr ∋ %q",
					strings.Join(tc.args, " "), r.code, r.stdout, r.stderr, tc.code, tc.stdout, tc.stderr)
			}
			if tc.code == exitUsage && tc.stderr != "Commands:" && !strings.Contains(r.stderr, "-h") && !strings.Contains(r.stderr, "usage") {
				t.Errorf("a usage error should point at -h: %q", r.stderr)
			}
		})
	}
}

func TestParseCommand(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // args joined by |, or "skip", or "error: substring"
	}{
		{`["SET","k","v"]`, "SET|k|v"},
		{`  ["EXPIRE", "k", 60]  `, "EXPIRE|k|60"},
		{`["SET","k","1.5e3"]`, "SET|k|1.5e3"},
		{`{"args":["DEL","k"]}`, "DEL|k"},
		{``, "skip"},
		{`   `, "skip"},
		{`# note`, "skip"},
		{`[]`, "error: empty command"},
		{`["SET","k",null]`, "error: argument 3 is a JSON null"},
		{`["SET","k",{"a":1}]`, "error: argument 3 is a JSON object"},
		{`{"arg":["DEL","k"]}`, `error: unknown field "arg"`},
		{`{}`, `error: no "args"`},
		{`["DEL","a"]["DEL","b"]`, "error: more than one JSON value"},
		{`["DEL","a"`, "error: not a JSON array"},
		{`DEL a`, "error: want a JSON array"},
	} {
		args, skip, err := parseCommand([]byte(tc.in))
		var got string
		switch {
		case err != nil:
			got = "error: " + err.Error()
		case skip:
			got = "skip"
		default:
			got = strings.Join(args, "|")
		}
		sameError := strings.HasPrefix(tc.want, "error: ") && strings.HasPrefix(got, "error: ") && strings.Contains(got, strings.TrimPrefix(tc.want, "error: "))
		if got != tc.want && !sameError {
			t.Errorf("parseCommand(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestReadLinesTooLong(t *testing.T) {
	long := `["SET","k","` + strings.Repeat("x", maxLineBytes) + `"]`
	in := "[\"DEL\",\"a\"]\r\n" + long + "\n[\"DEL\",\"b\"]"
	done := make(chan struct{})
	defer close(done)
	var got []string
	for l := range readLines(strings.NewReader(in), done) {
		if l.err != nil {
			got = append(got, strconv.Itoa(l.n)+":error")
			continue
		}
		got = append(got, strconv.Itoa(l.n)+":"+string(l.text))
	}
	want := []string{`1:["DEL","a"]`, "2:error", `3:["DEL","b"]`}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("lines = %q, want %q", got, want)
	}
}

func TestFormatLines(t *testing.T) {
	for _, tc := range []struct {
		lines []int
		want  string
	}{
		{[]int{1}, "1"},
		{[]int{1, 2, 3}, "1-3"},
		{[]int{3, 4, 5, 7, 9, 10}, "3-5, 7, 9-10"},
	} {
		if got := formatLines(tc.lines); got != tc.want {
			t.Errorf("formatLines(%v) = %q, want %q", tc.lines, got, tc.want)
		}
	}
}

func TestQueueURLRegion(t *testing.T) {
	for url, want := range map[string]string{
		"https://sqs.ap-south-1.amazonaws.com/123456789012/q":                 "ap-south-1",
		"https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q":              "cn-north-1",
		"https://eu-west-1.queue.amazonaws.com/123456789012/q":                "eu-west-1",
		"http://sqs.us-east-1.localhost.localstack.cloud:4566/000000000000/q": "us-east-1",
		"http://localhost:4566/000000000000/q":                                "",
		"http://127.0.0.1:9324/queue/q":                                       "",
		"https://vpce-1a2b3c.sqs.us-east-1.vpce.amazonaws.com/123456789012/q": "",
		"https://sqs.us-gov-west-1.amazonaws.com/123456789012/q":              "us-gov-west-1",
		"not a url %%": "",
		"https://sqs.amazonaws.com/123456789012/q":                              "",
		"https://sqs.ap-southeast-1.amazonaws.com/123456789012/regis-test-dlq":  "ap-southeast-1",
		"https://sqs.ap-southeast-1.amazonaws.com/123456789012/regis-test-fifo": "ap-southeast-1",
	} {
		if got := queueURLRegion(url); got != want {
			t.Errorf("queueURLRegion(%q) = %q, want %q", url, got, want)
		}
	}
}

func TestParseRedrivePolicy(t *testing.T) {
	for in, want := range map[string]struct {
		arn string
		n   int
	}{
		`{"deadLetterTargetArn":"arn:aws:sqs:r:1:d","maxReceiveCount":5}`:   {"arn:aws:sqs:r:1:d", 5},
		`{"deadLetterTargetArn":"arn:aws:sqs:r:1:d","maxReceiveCount":"7"}`: {"arn:aws:sqs:r:1:d", 7},
		``: {"", 0},
	} {
		arn, n, err := parseRedrivePolicy(in)
		if err != nil || arn != want.arn || n != want.n {
			t.Errorf("parseRedrivePolicy(%q) = %q, %d, %v", in, arn, n, err)
		}
	}
	if _, _, err := parseRedrivePolicy("{"); err == nil {
		t.Error("a broken RedrivePolicy parsed")
	}
}

func TestFormatAge(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	for _, tc := range []struct {
		in   *float64
		want string
	}{
		{nil, "n/a"}, {f(0), "0s"}, {f(45.4), "45s"}, {f(185), "3m05s"}, {f(7800), "2h10m"}, {f(3*86400 + 4*3600), "3d4h"},
	} {
		if got := formatAge(tc.in); got != tc.want {
			t.Errorf("formatAge(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct {
		in   *float64
		want string
	}{{nil, "n/a"}, {f(850), "850ms"}, {f(1234), "1.2s"}, {f(185000), "3m05s"}} {
		if got := formatMillis(tc.in); got != tc.want {
			t.Errorf("formatMillis(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
