package cloudwatch

import (
	"reflect"
	"strings"
	"time"
)

// The operations' inputs and outputs are Go structs whose json tags name the
// Smithy members. decode.go and encode.go move them to and from the three
// wire formats CloudWatch speaks: RPC v2 CBOR (aws-sdk-go-v2), awsJson1_0 and
// the AWS query protocol (form in, XML out: boto3, the CLI). This file reads
// the structs' fields.

type fieldInfo struct {
	name      string
	index     int
	omitEmpty bool
}

func structFields(t reflect.Type) []fieldInfo {
	var out []fieldInfo
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		out = append(out, fieldInfo{name: name, index: i, omitEmpty: strings.Contains(opts, "omitempty")})
	}
	return out
}

var (
	timeType  = reflect.TypeOf(time.Time{})
	bytesType = reflect.TypeOf([]byte(nil))
)

// isEmpty reports whether v is omitted from output: nil pointers, slices and
// maps, and zero values of fields tagged omitempty.
func isEmpty(v reflect.Value, omitEmpty bool) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		return v.IsNil()
	case reflect.Slice, reflect.Map:
		return v.IsNil() || (omitEmpty && v.Len() == 0)
	}
	return omitEmpty && v.IsZero()
}
