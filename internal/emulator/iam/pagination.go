package iam

import (
	"encoding/base64"
	"sort"
	"strconv"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// ------------------------------------------------------------- pagination

// page holds the Marker/MaxItems pagination parameters of a List* call.
type page struct {
	after    string // the sort key of the last item of the previous page; "" for the first page
	maxItems int
}

func pagination(p params) (page, *core.APIError) {
	pg := page{maxItems: 100}
	if p.Has("MaxItems") {
		n, err := strconv.Atoi(p.Get("MaxItems"))
		if err != nil {
			return pg, validationError("maxItems", p.Get("MaxItems"), "Member must be an integer")
		}
		if n < 1 {
			return pg, validationError("maxItems", n, "Member must have value greater than or equal to 1")
		}
		if n > 1000 {
			return pg, validationError("maxItems", n, "Member must have value less than or equal to 1000")
		}
		pg.maxItems = n
	}
	if p.Has("Marker") {
		m := p.Get("Marker")
		raw, err := base64.RawURLEncoding.DecodeString(m)
		if m == "" || err != nil {
			return pg, validationError("marker", m, "Member must be a marker returned by a previous call")
		}
		pg.after = string(raw)
	}
	return pg, nil
}

// paginate returns the items after the marker, at most maxItems of them,
// and the marker of the next page ("" when there is none). items must be
// sorted by key, ascending and without duplicates.
func paginate[T any](items []T, key func(T) string, pg page) ([]T, string) {
	start := 0
	if pg.after != "" {
		start = sort.Search(len(items), func(i int) bool { return key(items[i]) > pg.after })
	}
	end := start + pg.maxItems
	if end >= len(items) {
		return items[start:], ""
	}
	return items[start:end], base64.RawURLEncoding.EncodeToString([]byte(key(items[end-1])))
}
