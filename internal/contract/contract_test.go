package contract

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"
)

// Every Env… constant of env.go is in ConsumerEnvironment, once: a variable
// added to the consumer without the list would escape the provider's check
// of consumer.environment.
func TestConsumerEnvironmentListsEveryVariable(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "env.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var declared []string
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs, ok := s.(*ast.ValueSpec)
			if !ok {
				continue
			}
			for i, n := range vs.Names {
				if !strings.HasPrefix(n.Name, "Env") {
					continue
				}
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					t.Fatalf("%s is not a string literal", n.Name)
				}
				v, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatal(err)
				}
				declared = append(declared, v)
			}
		}
	}
	if len(declared) < 10 {
		t.Fatalf("found only %d Env constants in env.go", len(declared))
	}
	count := map[string]int{}
	for _, v := range ConsumerEnvironment {
		count[v]++
	}
	for _, v := range declared {
		if count[v] != 1 {
			t.Errorf("%s is %d times in ConsumerEnvironment, want once", v, count[v])
		}
	}
	if len(ConsumerEnvironment) != len(declared) {
		t.Errorf("ConsumerEnvironment has %d names, env.go declares %d", len(ConsumerEnvironment), len(declared))
	}
}

func TestNames(t *testing.T) {
	for _, tc := range [][2]string{
		{QueueName("orders"), "orders"},
		{TopicName("orders"), "orders"},
		{DLQName("orders"), "orders-dlq"},
		{FunctionName("orders"), "orders-consumer"},
		{RoleName("orders", "eu-west-1"), "orders-consumer-eu-west-1"},
		{DLQAlarmName("orders"), "orders-dlq-not-empty"},
		{AgeAlarmName("orders"), "orders-oldest-message-age"},
		{LogGroupName("orders"), "/aws/lambda/orders-consumer"},
	} {
		if tc[0] != tc[1] {
			t.Errorf("got %q, want %q", tc[0], tc[1])
		}
	}
}
