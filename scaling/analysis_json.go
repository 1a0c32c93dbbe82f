package scaling

import (
	"fmt"
	"math"
	"reflect"
	"strings"
)

var intervalType = reflect.TypeOf(Interval{})

// nonFinitePath returns the JSON path of the first float in v that is NaN
// or infinite, or "" when there is none. Intervals are skipped: they
// leave out their non-finite bounds themselves.
func nonFinitePath(v any) string {
	return findNonFinite(reflect.ValueOf(v), "")
}

func findNonFinite(v reflect.Value, path string) string {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return ""
		}
		return findNonFinite(v.Elem(), path)
	case reflect.Float32, reflect.Float64:
		if f := v.Float(); math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Sprintf("%s (%v)", strings.TrimPrefix(path, "."), f)
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			if p := findNonFinite(v.Index(i), fmt.Sprintf("%s[%d]", path, i)); p != "" {
				return p
			}
		}
	case reflect.Struct:
		if v.Type() == intervalType {
			return ""
		}
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if p := findNonFinite(v.Field(i), path+"."+name); p != "" {
				return p
			}
		}
	}
	return ""
}
