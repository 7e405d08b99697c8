package cloudwatch

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"math"
	"reflect"
	"sort"
	"strconv"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"
)

// toCBOR encodes an output struct as RPC v2 CBOR.
func toCBOR(v any) []byte {
	if v == nil {
		return cbor.Encode(cbor.Map{})
	}
	return cbor.Encode(cborValue(reflect.ValueOf(v)))
}

func cborValue(v reflect.Value) cbor.Value {
	if v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return &cbor.Nil{}
		}
		return cborValue(v.Elem())
	}
	switch {
	case v.Type() == timeType:
		t := v.Interface().(time.Time)
		return &cbor.Tag{ID: 1, Value: cbor.Float64(float64(t.UnixMilli()) / 1000)}
	case v.Type() == bytesType:
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
	case reflect.Float64:
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
		for _, f := range structFields(v.Type()) {
			fv := v.Field(f.index)
			if isEmpty(fv, f.omitEmpty) {
				continue
			}
			m[f.name] = cborValue(fv)
		}
		return m
	}
	return &cbor.Nil{}
}

// toJSON encodes an output struct for awsJson1_0 (timestamps in epoch seconds).
func toJSON(v any) []byte {
	if v == nil {
		return []byte("{}")
	}
	var buf bytes.Buffer
	jsonValue(&buf, reflect.ValueOf(v))
	return buf.Bytes()
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
	switch {
	case v.Type() == timeType:
		t := v.Interface().(time.Time)
		buf.WriteString(strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', -1, 64))
		return
	case v.Type() == bytesType:
		out, _ := json.Marshal(v.Bytes())
		buf.Write(out)
		return
	}
	switch v.Kind() {
	case reflect.Float64:
		f := v.Float()
		switch {
		case math.IsNaN(f):
			buf.WriteString(`"NaN"`)
		case math.IsInf(f, 1):
			buf.WriteString(`"Infinity"`)
		case math.IsInf(f, -1):
			buf.WriteString(`"-Infinity"`)
		default:
			buf.WriteString(strconv.FormatFloat(f, 'g', -1, 64))
		}
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
		for _, f := range structFields(v.Type()) {
			fv := v.Field(f.index)
			if isEmpty(fv, f.omitEmpty) {
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

// toXML writes an output struct as the query protocol's <Action>Result
// element content.
func toXML(enc *xml.Encoder, name string, v reflect.Value) {
	if v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return
		}
		toXML(enc, name, v.Elem())
		return
	}
	start := xml.StartElement{Name: xml.Name{Local: name}}
	switch {
	case v.Type() == timeType:
		t := v.Interface().(time.Time)
		_ = enc.EncodeElement(t.UTC().Format("2006-01-02T15:04:05.000Z"), start)
		return
	case v.Type() == bytesType:
		_ = enc.EncodeElement(base64.StdEncoding.EncodeToString(v.Bytes()), start)
		return
	}
	switch v.Kind() {
	case reflect.String:
		_ = enc.EncodeElement(v.String(), start)
	case reflect.Bool:
		_ = enc.EncodeElement(strconv.FormatBool(v.Bool()), start)
	case reflect.Int, reflect.Int32, reflect.Int64:
		_ = enc.EncodeElement(strconv.FormatInt(v.Int(), 10), start)
	case reflect.Float64:
		_ = enc.EncodeElement(formatFloat(v.Float()), start)
	case reflect.Slice:
		_ = enc.EncodeToken(start)
		for i := 0; i < v.Len(); i++ {
			toXML(enc, "member", v.Index(i))
		}
		_ = enc.EncodeToken(start.End())
	case reflect.Map:
		_ = enc.EncodeToken(start)
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		for _, k := range keys {
			entry := xml.StartElement{Name: xml.Name{Local: "entry"}}
			_ = enc.EncodeToken(entry)
			_ = enc.EncodeElement(k.String(), xml.StartElement{Name: xml.Name{Local: "key"}})
			toXML(enc, "value", v.MapIndex(k))
			_ = enc.EncodeToken(entry.End())
		}
		_ = enc.EncodeToken(start.End())
	case reflect.Struct:
		_ = enc.EncodeToken(start)
		for _, f := range structFields(v.Type()) {
			fv := v.Field(f.index)
			if isEmpty(fv, f.omitEmpty) {
				continue
			}
			toXML(enc, f.name, fv)
		}
		_ = enc.EncodeToken(start.End())
	}
}

func formatFloat(f float64) string {
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
