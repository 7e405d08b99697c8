package bus

import (
	"maps"
	"slices"
)

// tagDiff returns the tags to set and the keys to remove to go from current
// to desired.
func tagDiff(current, desired map[string]string) (add map[string]string, remove []string) {
	add = map[string]string{}
	for k, v := range desired {
		if cur, ok := current[k]; !ok || cur != v {
			add[k] = v
		}
	}
	for _, k := range slices.Sorted(maps.Keys(current)) {
		if _, ok := desired[k]; !ok {
			remove = append(remove, k)
		}
	}
	return add, remove
}

func sameTags(current, desired map[string]string) bool {
	add, remove := tagDiff(current, desired)
	return len(add) == 0 && len(remove) == 0
}
