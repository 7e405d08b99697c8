package cloudwatch

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"
)

// assign stores a decoded value (from CBOR or JSON) into dst, converting
// loosely between numeric forms and accepting epoch numbers for timestamps.
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
	if dst.Type() == timeType {
		switch v := src.(type) {
		case time.Time:
			dst.Set(reflect.ValueOf(v))
			return nil
		case float64:
			dst.Set(reflect.ValueOf(time.UnixMilli(int64(math.Round(v * 1000)))))
			return nil
		case int64:
			dst.Set(reflect.ValueOf(time.Unix(v, 0)))
			return nil
		case json.Number:
			f, err := v.Float64()
			if err != nil {
				return fmt.Errorf("%s: invalid timestamp %q", path, v)
			}
			dst.Set(reflect.ValueOf(time.UnixMilli(int64(math.Round(f * 1000)))))
			return nil
		case string:
			t, err := parseTime(v)
			if err != nil {
				return fmt.Errorf("%s: invalid timestamp %q", path, v)
			}
			dst.Set(reflect.ValueOf(t))
			return nil
		}
		return fmt.Errorf("%s: expected a timestamp", path)
	}
	if dst.Type() == bytesType {
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
		switch v := src.(type) {
		case int64:
			dst.SetInt(v)
		case json.Number:
			n, err := v.Int64()
			if err != nil {
				return fmt.Errorf("%s: expected an integer", path)
			}
			dst.SetInt(n)
		case float64:
			if v != math.Trunc(v) {
				return fmt.Errorf("%s: expected an integer", path)
			}
			dst.SetInt(int64(v))
		default:
			return fmt.Errorf("%s: expected an integer", path)
		}
	case reflect.Float64:
		switch v := src.(type) {
		case float64:
			dst.SetFloat(v)
		case int64:
			dst.SetFloat(float64(v))
		case json.Number:
			f, err := v.Float64()
			if err != nil {
				return fmt.Errorf("%s: expected a number", path)
			}
			dst.SetFloat(f)
		case string: // JSON encodes NaN and infinities as strings
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return fmt.Errorf("%s: expected a number", path)
			}
			dst.SetFloat(f)
		default:
			return fmt.Errorf("%s: expected a number", path)
		}
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
			out.SetMapIndex(reflect.ValueOf(k), v)
		}
		dst.Set(out)
	case reflect.Struct:
		m, ok := src.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: expected a structure", path)
		}
		for _, f := range structFields(dst.Type()) {
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

// decodeCBOR decodes an RPC v2 CBOR request body into in.
func decodeCBOR(body []byte, in any) error {
	if len(body) == 0 {
		return nil
	}
	v, err := cbor.Decode(body)
	if err != nil {
		return err
	}
	return assign(fromCBOR(v), reflect.ValueOf(in), "input")
}

// decodeJSON decodes an awsJson1_0 request body into in.
func decodeJSON(body []byte, in any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return err
	}
	return assign(normalizeJSON(v), reflect.ValueOf(in), "input")
}

func normalizeJSON(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if e == nil {
				delete(v, k)
				continue
			}
			v[k] = normalizeJSON(e)
		}
	case []any:
		for i, e := range v {
			v[i] = normalizeJSON(e)
		}
	}
	return v
}

// decodeForm fills in from query-protocol parameters: members by name,
// nested members as Name.Member, lists as Name.member.N and maps as
// Name.entry.N.key / Name.entry.N.value.
func decodeForm(params map[string][]string, in any) error {
	flat := make(map[string]string, len(params))
	for k, v := range params {
		if len(v) > 0 {
			flat[k] = v[0]
		}
	}
	_, err := formValue(flat, "", reflect.ValueOf(in).Elem())
	return err
}

// formValue fills dst from the parameters under prefix and reports whether
// any was present.
func formValue(p map[string]string, prefix string, dst reflect.Value) (bool, error) {
	t := dst.Type()
	if t.Kind() == reflect.Pointer {
		v := reflect.New(t.Elem())
		found, err := formValue(p, prefix, v.Elem())
		if found && err == nil {
			dst.Set(v)
		}
		return found, err
	}
	if t == timeType || t == bytesType || (t.Kind() != reflect.Struct && t.Kind() != reflect.Slice && t.Kind() != reflect.Map) {
		s, ok := p[prefix]
		if !ok {
			return false, nil
		}
		return true, formScalar(s, dst, prefix)
	}
	switch t.Kind() {
	case reflect.Struct:
		found := false
		for _, f := range structFields(t) {
			name := f.name
			if prefix != "" {
				name = prefix + "." + f.name
			}
			ok, err := formValue(p, name, dst.Field(f.index))
			if err != nil {
				return false, err
			}
			found = found || ok
		}
		return found, nil
	case reflect.Slice:
		if _, empty := p[prefix]; empty && !hasPrefix(p, prefix+".member.") {
			dst.Set(reflect.MakeSlice(t, 0, 0)) // "Name=" is an explicitly empty list
			return true, nil
		}
		s := reflect.MakeSlice(t, 0, 0)
		for i := 1; ; i++ {
			e := reflect.New(t.Elem()).Elem()
			ok, err := formValue(p, prefix+".member."+strconv.Itoa(i), e)
			if err != nil {
				return false, err
			}
			if !ok {
				break
			}
			s = reflect.Append(s, e)
		}
		if s.Len() == 0 {
			return false, nil
		}
		dst.Set(s)
		return true, nil
	case reflect.Map:
		m := reflect.MakeMap(t)
		for i := 1; ; i++ {
			k, ok := p[prefix+".entry."+strconv.Itoa(i)+".key"]
			if !ok {
				break
			}
			v := reflect.New(t.Elem()).Elem()
			if _, err := formValue(p, prefix+".entry."+strconv.Itoa(i)+".value", v); err != nil {
				return false, err
			}
			m.SetMapIndex(reflect.ValueOf(k), v)
		}
		if m.Len() == 0 {
			return false, nil
		}
		dst.Set(m)
		return true, nil
	}
	return false, nil
}

func hasPrefix(p map[string]string, prefix string) bool {
	for k := range p {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

func formScalar(s string, dst reflect.Value, name string) error {
	t := dst.Type()
	switch t {
	case timeType:
		tm, err := parseTime(s)
		if err != nil {
			return fmt.Errorf("%s: invalid timestamp %q", name, s)
		}
		dst.Set(reflect.ValueOf(tm))
		return nil
	case bytesType:
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return fmt.Errorf("%s: invalid base64", name)
		}
		dst.SetBytes(b)
		return nil
	}
	switch t.Kind() {
	case reflect.String:
		dst.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("%s: expected a boolean, got %q", name, s)
		}
		dst.SetBool(b)
	case reflect.Int, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("%s: expected an integer, got %q", name, s)
		}
		dst.SetInt(n)
	case reflect.Float64:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("%s: expected a number, got %q", name, s)
		}
		dst.SetFloat(f)
	default:
		return fmt.Errorf("%s: unsupported parameter", name)
	}
	return nil
}

// parseTime accepts the timestamp forms clients send: ISO 8601 (with or
// without fractional seconds and zone) and epoch seconds.
func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05", "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return time.UnixMilli(int64(math.Round(f * 1000))), nil
	}
	return time.Time{}, fmt.Errorf("invalid timestamp %q", s)
}
