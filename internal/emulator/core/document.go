package core

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"
)

// The Smithy data model's encodings of an operation's input and output in
// the RPC v2 CBOR protocol and in JSON with Smithy's conventions
// (timestamps as epoch seconds, NaN and infinities as strings), read from
// and written to the same Go structs as the other encodings: a struct field
// is the member named by its json tag (omitempty: left out when empty),
// integers are int64, doubles float64, timestamps time.Time, blobs []byte.

// Codec reads and writes an operation's input and output in one body
// format.
type Codec interface {
	Unmarshal(body []byte, v any) error
	Marshal(v any) ([]byte, error)
}

// StdJSON is encoding/json: the awsJson services whose shapes have no
// timestamps (SQS, Secrets Manager, CloudWatch Logs) use it.
var StdJSON Codec = stdJSON{}

// DocumentJSON is JSON with the Smithy data model's conventions
// (CloudWatch's awsJson1_0).
var DocumentJSON Codec = documentJSON{}

// CBOR is the RPC v2 CBOR encoding (CloudWatch).
var CBOR Codec = cborCodec{}

type stdJSON struct{}

func (stdJSON) Unmarshal(body []byte, v any) error { return json.Unmarshal(body, v) }
func (stdJSON) Marshal(v any) ([]byte, error)      { return json.Marshal(v) }

type documentJSON struct{}

func (documentJSON) Unmarshal(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return err
	}
	return assign(dropJSONNulls(doc), reflect.ValueOf(v), "input")
}

func (documentJSON) Marshal(v any) ([]byte, error) {
	if v == nil {
		return []byte("{}"), nil
	}
	var buf bytes.Buffer
	jsonValue(&buf, reflect.ValueOf(v))
	return buf.Bytes(), nil
}

type cborCodec struct{}

func (cborCodec) Unmarshal(body []byte, v any) error {
	doc, err := cbor.Decode(body)
	if err != nil {
		return err
	}
	return assign(fromCBOR(doc), reflect.ValueOf(v), "input")
}

func (cborCodec) Marshal(v any) ([]byte, error) {
	if v == nil {
		return cbor.Encode(cbor.Map{}), nil
	}
	return cbor.Encode(cborValue(reflect.ValueOf(v))), nil
}

// ------------------------------------------------------------ structs

type documentField struct {
	name      string
	index     int
	omitEmpty bool
}

func documentFields(t reflect.Type) []documentField {
	var out []documentField
	for _, f := range queryFields(t) {
		out = append(out, documentField{name: f.jsonName, index: f.index, omitEmpty: f.omitEmpty})
	}
	return out
}

// omitted reports whether a member is left out of an output: nil pointers,
// interfaces, slices and maps, and, for members tagged omitempty, zero
// values and empty slices and maps (as encoding/json does).
func omitted(v reflect.Value, omitEmpty bool) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		return v.IsNil()
	case reflect.Slice, reflect.Map:
		return v.IsNil() || (omitEmpty && v.Len() == 0)
	}
	return omitEmpty && v.IsZero()
}

// ------------------------------------------------------------ decoding

// assign stores a decoded document value (from CBOR or JSON) into dst,
// converting between numeric forms and accepting epoch numbers for
// timestamps.
func assign(src any, dst reflect.Value, path string) error {
	if src == nil {
		return nil
	}
	if dst.Kind() == reflect.Pointer {
		if dst.IsNil() {
			dst.Set(reflect.New(dst.Type().Elem()))
		}
		return assign(src, dst.Elem(), path)
	}
	switch dst.Type() {
	case timeType:
		return assignTime(src, dst, path)
	case bytesType:
		return assignBlob(src, dst, path)
	}
	switch dst.Kind() {
	case reflect.String:
		s, ok := src.(string)
		if !ok {
			return fmt.Errorf("%s: expected a string", path)
		}
		dst.SetString(s)
	case reflect.Bool:
		b, ok := src.(bool)
		if !ok {
			return fmt.Errorf("%s: expected a boolean", path)
		}
		dst.SetBool(b)
	case reflect.Int, reflect.Int32, reflect.Int64:
		n, err := documentInt(src)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		dst.SetInt(n)
	case reflect.Float32, reflect.Float64:
		f, err := documentFloat(src)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		dst.SetFloat(f)
	case reflect.Slice:
		l, ok := src.([]any)
		if !ok {
			return fmt.Errorf("%s: expected a list", path)
		}
		s := reflect.MakeSlice(dst.Type(), len(l), len(l))
		for i, e := range l {
			if err := assign(e, s.Index(i), path+"."+strconv.Itoa(i+1)); err != nil {
				return err
			}
		}
		dst.Set(s)
	case reflect.Map:
		m, ok := src.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: expected a map", path)
		}
		out := reflect.MakeMapWithSize(dst.Type(), len(m))
		for k, e := range m {
			v := reflect.New(dst.Type().Elem()).Elem()
			if err := assign(e, v, path+"."+k); err != nil {
				return err
			}
			out.SetMapIndex(reflect.ValueOf(k).Convert(dst.Type().Key()), v)
		}
		dst.Set(out)
	case reflect.Struct:
		m, ok := src.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: expected a structure", path)
		}
		for _, f := range documentFields(dst.Type()) {
			if v, ok := m[f.name]; ok {
				if err := assign(v, dst.Field(f.index), f.name); err != nil {
					return err
				}
			}
		}
	case reflect.Interface:
		dst.Set(reflect.ValueOf(src))
	default:
		return fmt.Errorf("%s: unsupported field kind %s", path, dst.Kind())
	}
	return nil
}

func assignTime(src any, dst reflect.Value, path string) error {
	var t time.Time
	switch v := src.(type) {
	case time.Time:
		t = v
	case float64:
		t = time.UnixMilli(int64(math.Round(v * 1000)))
	case int64:
		t = time.Unix(v, 0)
	case json.Number:
		f, err := v.Float64()
		if err != nil {
			return fmt.Errorf("%s: invalid timestamp %q", path, v)
		}
		t = time.UnixMilli(int64(math.Round(f * 1000)))
	case string:
		var err error
		if t, err = ParseTimestamp(v); err != nil {
			return fmt.Errorf("%s: invalid timestamp %q", path, v)
		}
	default:
		return fmt.Errorf("%s: expected a timestamp", path)
	}
	dst.Set(reflect.ValueOf(t))
	return nil
}

func assignBlob(src any, dst reflect.Value, path string) error {
	switch v := src.(type) {
	case []byte:
		dst.SetBytes(v)
		return nil
	case string:
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			return fmt.Errorf("%s: invalid base64", path)
		}
		dst.SetBytes(b)
		return nil
	}
	return fmt.Errorf("%s: expected a blob", path)
}

func documentInt(src any) (int64, error) {
	switch v := src.(type) {
	case int64:
		return v, nil
	case json.Number:
		n, err := v.Int64()
		if err != nil {
			return 0, fmt.Errorf("expected an integer")
		}
		return n, nil
	case float64:
		if v != math.Trunc(v) {
			return 0, fmt.Errorf("expected an integer")
		}
		return int64(v), nil
	}
	return 0, fmt.Errorf("expected an integer")
}

func documentFloat(src any) (float64, error) {
	switch v := src.(type) {
	case float64:
		return v, nil
	case int64:
		return float64(v), nil
	case json.Number:
		f, err := v.Float64()
		if err != nil {
			return 0, fmt.Errorf("expected a number")
		}
		return f, nil
	case string: // JSON encodes NaN and infinities as strings
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return 0, fmt.Errorf("expected a number")
		}
		return f, nil
	}
	return 0, fmt.Errorf("expected a number")
}

// fromCBOR turns a decoded CBOR value into the generic form assign reads.
func fromCBOR(v cbor.Value) any {
	switch v := v.(type) {
	case cbor.Uint:
		if uint64(v) > math.MaxInt64 {
			return float64(v)
		}
		return int64(v)
	case cbor.NegInt:
		return -1 - int64(v)
	case cbor.Slice:
		return []byte(v)
	case cbor.String:
		return string(v)
	case cbor.List:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = fromCBOR(e)
		}
		return out
	case cbor.Map:
		out := make(map[string]any, len(v))
		for k, e := range v {
			if _, null := e.(*cbor.Nil); null {
				continue
			}
			out[k] = fromCBOR(e)
		}
		return out
	case *cbor.Tag:
		if v.ID == 1 {
			if t, err := cbor.AsTime(v); err == nil {
				return t
			}
		}
		return fromCBOR(v.Value)
	case cbor.Bool:
		return bool(v)
	case cbor.Float32:
		return float64(v)
	case cbor.Float64:
		return float64(v)
	}
	return nil
}

// dropJSONNulls removes null members, which mean "absent" in AWS JSON.
func dropJSONNulls(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if e == nil {
				delete(v, k)
				continue
			}
			v[k] = dropJSONNulls(e)
		}
	case []any:
		for i, e := range v {
			v[i] = dropJSONNulls(e)
		}
	}
	return v
}

// ------------------------------------------------------------ encoding

func cborValue(v reflect.Value) cbor.Value {
	if v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return &cbor.Nil{}
		}
		return cborValue(v.Elem())
	}
	switch v.Type() {
	case timeType:
		t := v.Interface().(time.Time)
		return &cbor.Tag{ID: 1, Value: cbor.Float64(float64(t.UnixMilli()) / 1000)}
	case bytesType:
		return cbor.Slice(v.Bytes())
	}
	switch v.Kind() {
	case reflect.String:
		return cbor.String(v.String())
	case reflect.Bool:
		return cbor.Bool(v.Bool())
	case reflect.Int, reflect.Int32, reflect.Int64:
		n := v.Int()
		if n < 0 {
			return cbor.NegInt(uint64(-1 - n))
		}
		return cbor.Uint(uint64(n))
	case reflect.Float32, reflect.Float64:
		return cbor.Float64(v.Float())
	case reflect.Slice:
		l := make(cbor.List, v.Len())
		for i := range l {
			l[i] = cborValue(v.Index(i))
		}
		return l
	case reflect.Map:
		m := cbor.Map{}
		it := v.MapRange()
		for it.Next() {
			m[it.Key().String()] = cborValue(it.Value())
		}
		return m
	case reflect.Struct:
		m := cbor.Map{}
		for _, f := range documentFields(v.Type()) {
			fv := v.Field(f.index)
			if omitted(fv, f.omitEmpty) {
				continue
			}
			m[f.name] = cborValue(fv)
		}
		return m
	}
	return &cbor.Nil{}
}

func jsonValue(buf *bytes.Buffer, v reflect.Value) {
	if v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			buf.WriteString("null")
			return
		}
		jsonValue(buf, v.Elem())
		return
	}
	switch v.Type() {
	case timeType:
		t := v.Interface().(time.Time)
		buf.WriteString(strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', -1, 64))
		return
	case bytesType:
		out, _ := json.Marshal(v.Bytes())
		buf.Write(out)
		return
	}
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			buf.WriteString(`"` + FormatDouble(f) + `"`)
			return
		}
		buf.WriteString(strconv.FormatFloat(f, 'g', -1, 64))
	case reflect.Slice:
		buf.WriteByte('[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				buf.WriteByte(',')
			}
			jsonValue(buf, v.Index(i))
		}
		buf.WriteByte(']')
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		buf.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			out, _ := json.Marshal(k.String())
			buf.Write(out)
			buf.WriteByte(':')
			jsonValue(buf, v.MapIndex(k))
		}
		buf.WriteByte('}')
	case reflect.Struct:
		buf.WriteByte('{')
		first := true
		for _, f := range documentFields(v.Type()) {
			fv := v.Field(f.index)
			if omitted(fv, f.omitEmpty) {
				continue
			}
			if !first {
				buf.WriteByte(',')
			}
			first = false
			out, _ := json.Marshal(f.name)
			buf.Write(out)
			buf.WriteByte(':')
			jsonValue(buf, fv)
		}
		buf.WriteByte('}')
	default:
		out, _ := json.Marshal(v.Interface())
		buf.Write(out)
	}
}

// FormatDouble writes a double as AWS's text encodings do: NaN, Infinity
// and -Infinity by name, other values in the shortest decimal form.
func FormatDouble(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}
