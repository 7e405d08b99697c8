package core

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The AWS query protocol's encoding of an operation's input (form
// parameters) and output (XML), read from the same Go structs the JSON
// protocols use. A struct field is a member named by its json tag; a query
// tag gives what the query protocol does differently, as the service's
// model says:
//
//	`query:"Name"`                         the member's query name
//	`query:"Name,flat"`                    a flattened list (Name.1, Name.2; <Name> repeated)
//	                                       or map (Name.1.key …; <Name><key/><value/></Name> repeated)
//	`query:",member=M"`                    the element name of a list's members (default "member")
//	`query:",key=K,value=V"`               the names of a map's key and value (default "key", "value")
//
// Lists that are not flattened are Name.member.N (<Name><member/>…</Name>);
// maps are Name.entry.N.key / Name.entry.N.value. Blobs are base64,
// timestamps ISO 8601, booleans "true"/"false".

type queryTag struct {
	name       string
	flat       bool
	member     string
	key, value string
}

type queryField struct {
	index     int
	jsonName  string
	omitEmpty bool
	tag       queryTag
}

func queryFields(t reflect.Type) []queryField {
	var out []queryField
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		js := f.Tag.Get("json")
		if js == "-" {
			continue
		}
		parts := strings.Split(js, ",")
		qf := queryField{index: i, jsonName: parts[0], tag: queryTag{member: "member", key: "key", value: "value"}}
		if qf.jsonName == "" {
			qf.jsonName = f.Name
		}
		for _, p := range parts[1:] {
			if p == "omitempty" {
				qf.omitEmpty = true
			}
		}
		qf.tag.name = qf.jsonName
		if q, ok := f.Tag.Lookup("query"); ok {
			qp := strings.Split(q, ",")
			if qp[0] != "" {
				qf.tag.name = qp[0]
			}
			for _, p := range qp[1:] {
				k, v, _ := strings.Cut(p, "=")
				switch k {
				case "flat":
					qf.tag.flat = true
				case "member":
					qf.tag.member = v
				case "key":
					qf.tag.key = v
				case "value":
					qf.tag.value = v
				}
			}
		}
		out = append(out, qf)
	}
	return out
}

var (
	timeType  = reflect.TypeOf(time.Time{})
	bytesType = reflect.TypeOf([]byte(nil))
)

// ------------------------------------------------------------ decoding

// DecodeForm fills v (a pointer to a struct) from query-protocol
// parameters. A malformed value is answered as AWS does, with
// InvalidParameterValue naming the parameter.
func DecodeForm(params map[string][]string, v any) *APIError {
	flat := make(map[string]string, len(params))
	for k, vs := range params {
		if len(vs) > 0 {
			flat[k] = vs[0]
		}
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		return &APIError{Status: 500, Code: "InternalFailure", Message: "DecodeForm needs a pointer to a struct"}
	}
	d := formDecoder{params: flat}
	d.structFields("", rv.Elem())
	return d.err
}

type formDecoder struct {
	params map[string]string
	err    *APIError
}

// present reports whether a parameter is name or is under name.
func (d *formDecoder) present(name string) bool {
	if _, ok := d.params[name]; ok {
		return true
	}
	p := name + "."
	for k := range d.params {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

func (d *formDecoder) structFields(prefix string, v reflect.Value) {
	for _, f := range queryFields(v.Type()) {
		if d.err != nil {
			return
		}
		d.value(prefix+f.tag.name, f.tag, v.Field(f.index))
	}
}

// value fills dst from the parameters named name (and under it).
func (d *formDecoder) value(name string, tag queryTag, dst reflect.Value) {
	if !d.present(name) {
		return
	}
	switch {
	case dst.Kind() == reflect.Pointer:
		elem := reflect.New(dst.Type().Elem())
		d.value(name, tag, elem.Elem())
		dst.Set(elem)
	case dst.Type() == timeType:
		t, err := ParseTimestamp(d.params[name])
		if err != nil {
			d.invalid(name, d.params[name], "must be an ISO 8601 timestamp")
			return
		}
		dst.Set(reflect.ValueOf(t))
	case dst.Type() == bytesType:
		b, err := base64.StdEncoding.DecodeString(d.params[name])
		if err != nil {
			d.invalid(name, d.params[name], "must be base64-encoded")
			return
		}
		dst.SetBytes(b)
	case dst.Kind() == reflect.Slice:
		prefix := name + "." + tag.member + "."
		if tag.flat {
			prefix = name + "."
		}
		elemTag := queryTag{member: "member", key: "key", value: "value"}
		for i := 1; d.present(prefix + strconv.Itoa(i)); i++ {
			e := reflect.New(dst.Type().Elem()).Elem()
			d.value(prefix+strconv.Itoa(i), elemTag, e)
			dst.Set(reflect.Append(dst, e))
		}
	case dst.Kind() == reflect.Map:
		prefix := name + ".entry."
		if tag.flat {
			prefix = name + "."
		}
		if dst.IsNil() {
			dst.Set(reflect.MakeMap(dst.Type()))
		}
		elemTag := queryTag{member: "member", key: "key", value: "value"}
		for i := 1; d.present(prefix + strconv.Itoa(i)); i++ {
			entry := prefix + strconv.Itoa(i) + "."
			k, ok := d.params[entry+tag.key]
			if !ok {
				d.err = Errorf("MissingParameter", "The request must contain the parameter %s.", entry+tag.key)
				return
			}
			e := reflect.New(dst.Type().Elem()).Elem()
			d.value(entry+tag.value, elemTag, e)
			dst.SetMapIndex(reflect.ValueOf(k).Convert(dst.Type().Key()), e)
		}
	case dst.Kind() == reflect.Struct:
		d.structFields(name+".", dst)
	default:
		d.scalar(name, d.params[name], dst)
	}
}

func (d *formDecoder) scalar(name, s string, dst reflect.Value) {
	switch dst.Kind() {
	case reflect.String:
		dst.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			d.invalid(name, s, "must be true or false")
			return
		}
		dst.SetBool(b)
	case reflect.Int, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			d.invalid(name, s, "must be an integer")
			return
		}
		dst.SetInt(n)
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			d.invalid(name, s, "must be a number")
			return
		}
		dst.SetFloat(f)
	default:
		d.err = &APIError{Status: 500, Code: "InternalFailure", Message: "cannot decode parameter " + name + " into " + dst.Type().String()}
	}
}

func (d *formDecoder) invalid(name, value, reason string) {
	d.err = Errorf("InvalidParameterValue", "Value %s for parameter %s is invalid. Reason: %s.", value, name, reason)
}

// ParseTimestamp reads the timestamp forms clients send: ISO 8601 (with or
// without fractional seconds and zone) and epoch seconds.
func ParseTimestamp(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		sec := int64(f)
		return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("not a timestamp: %q", s)
}

// ------------------------------------------------------------ encoding

// EncodeXML writes v (a struct, or a pointer to one) as the content of an
// <Operation>Result element.
func EncodeXML(buf *bytes.Buffer, v any) {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			return
		}
		rv = rv.Elem()
	}
	if rv.Kind() == reflect.Struct {
		xmlStruct(buf, rv)
	}
}

func xmlStruct(buf *bytes.Buffer, v reflect.Value) {
	for _, f := range queryFields(v.Type()) {
		fv := v.Field(f.index)
		if xmlOmitted(fv, f.omitEmpty) {
			continue
		}
		xmlMember(buf, f.tag, fv)
	}
}

// xmlOmitted reports whether a member is left out: nil pointers, slices,
// maps and interfaces, and zero values of members tagged omitempty.
func xmlOmitted(v reflect.Value, omitEmpty bool) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map:
		if v.IsNil() {
			return true
		}
	}
	return omitEmpty && v.IsZero()
}

func xmlMember(buf *bytes.Buffer, tag queryTag, v reflect.Value) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	elemTag := queryTag{member: "member", key: "key", value: "value"}
	switch {
	case v.Kind() == reflect.Slice && v.Type() != bytesType:
		if !tag.flat {
			openTag(buf, tag.name)
		}
		for i := 0; i < v.Len(); i++ {
			t := elemTag
			t.name = tag.member
			if tag.flat {
				t.name = tag.name
			}
			xmlMember(buf, t, v.Index(i))
		}
		if !tag.flat {
			closeTag(buf, tag.name)
		}
	case v.Kind() == reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		if !tag.flat {
			openTag(buf, tag.name)
		}
		entry := "entry"
		if tag.flat {
			entry = tag.name
		}
		for _, k := range keys {
			openTag(buf, entry)
			openTag(buf, tag.key)
			EscapeXMLText(buf, k.String())
			closeTag(buf, tag.key)
			t := elemTag
			t.name = tag.value
			xmlMember(buf, t, v.MapIndex(k))
			closeTag(buf, entry)
		}
		if !tag.flat {
			closeTag(buf, tag.name)
		}
	case v.Type() == timeType:
		openTag(buf, tag.name)
		buf.WriteString(v.Interface().(time.Time).UTC().Format("2006-01-02T15:04:05.000Z"))
		closeTag(buf, tag.name)
	case v.Kind() == reflect.Struct:
		openTag(buf, tag.name)
		xmlStruct(buf, v)
		closeTag(buf, tag.name)
	default:
		openTag(buf, tag.name)
		xmlScalar(buf, v)
		closeTag(buf, tag.name)
	}
}

func xmlScalar(buf *bytes.Buffer, v reflect.Value) {
	switch {
	case v.Type() == bytesType:
		buf.WriteString(base64.StdEncoding.EncodeToString(v.Bytes()))
	case v.Kind() == reflect.String:
		EscapeXMLText(buf, v.String())
	case v.Kind() == reflect.Bool:
		buf.WriteString(strconv.FormatBool(v.Bool()))
	case v.CanInt():
		buf.WriteString(strconv.FormatInt(v.Int(), 10))
	case v.CanUint():
		buf.WriteString(strconv.FormatUint(v.Uint(), 10))
	case v.CanFloat():
		buf.WriteString(strconv.FormatFloat(v.Float(), 'f', -1, 64))
	default:
		EscapeXMLText(buf, fmt.Sprint(v.Interface()))
	}
}

func openTag(buf *bytes.Buffer, name string) {
	buf.WriteByte('<')
	buf.WriteString(name)
	buf.WriteByte('>')
}

func closeTag(buf *bytes.Buffer, name string) {
	buf.WriteString("</")
	buf.WriteString(name)
	buf.WriteByte('>')
}

// EscapeXMLText writes s as XML character data the way SQS escapes message
// bodies in its query-protocol responses: the five predefined entities for
// & < > " ' and a character reference for carriage return, which an XML
// parser would otherwise fold into a line feed ("\r\n" → "\n", XML 1.0
// §2.11), changing the body and its MD5. Tab and line feed are written as
// they are. Every other character SQS accepts in a message (#x9 | #xA | #xD
// | #x20–#xD7FF | #xE000–#xFFFD | #x10000–#x10FFFF) is written as it is.
func EscapeXMLText(buf *bytes.Buffer, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '"':
			esc = "&quot;"
		case '\'':
			esc = "&apos;"
		case '\r':
			esc = "&#xD;"
		default:
			continue
		}
		buf.WriteString(s[last:i])
		buf.WriteString(esc)
		last = i + 1
	}
	buf.WriteString(s[last:])
}
