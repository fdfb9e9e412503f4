package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// kind is how a key's value is written and stored.
type kind int

const (
	kindString kind = iota
	kindInt
	kindBool
	kindList     // []string; comma-separated in env and flags
	kindDuration // time.Duration written as "30m"
	kindRate     // Rate written as "5/1m"
	kindMap      // map[string]string; "name=value,name=value" in env and flags
)

// field is one key of the configuration, found by walking Config's tags.
type field struct {
	key       string // "bot.session_ttl"
	env       string // "REPORTBOT_BOT_SESSION_TTL"
	index     []int  // path to the struct field from Config
	kind      kind
	checkName string
	check     func(v any) error
}

var (
	fields     = buildFields()
	fieldByKey = indexFields(fields)
	// envAliases are short names kept for convenience; the full
	// REPORTBOT_SECTION_KEY variable wins when both are set.
	envAliases = []struct{ env, key string }{
		{"REPORTBOT_CORPUS", "corpus.dir"},
		{"REPORTBOT_INDEX", "corpus.index_dir"},
	}
)

var (
	durationType = reflect.TypeFor[time.Duration]()
	rateType     = reflect.TypeFor[Rate]()
)

func buildFields() []field {
	var out []field
	root := reflect.TypeFor[Config]()
	for i := range root.NumField() {
		section := root.Field(i)
		sectionName := section.Tag.Get("toml")
		for j := range section.Type.NumField() {
			sf := section.Type.Field(j)
			name := sf.Tag.Get("toml")
			f := field{
				key:       sectionName + "." + name,
				env:       "REPORTBOT_" + strings.ToUpper(sectionName) + "_" + strings.ToUpper(name),
				index:     []int{i, j},
				kind:      kindOf(sf.Type),
				checkName: sf.Tag.Get("check"),
			}
			f.check = checkFor(f.checkName, f.kind)
			out = append(out, f)
		}
	}
	return out
}

func kindOf(t reflect.Type) kind {
	switch {
	case t == durationType:
		return kindDuration
	case t == rateType:
		return kindRate
	case t.Kind() == reflect.String:
		return kindString
	case t.Kind() == reflect.Int:
		return kindInt
	case t.Kind() == reflect.Bool:
		return kindBool
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.String:
		return kindList
	case t.Kind() == reflect.Map && t.Key().Kind() == reflect.String && t.Elem().Kind() == reflect.String:
		return kindMap
	}
	panic("config: no kind for field type " + t.String())
}

func indexFields(fs []field) map[string]*field {
	m := make(map[string]*field, len(fs))
	for i := range fs {
		m[fs[i].key] = &fs[i]
	}
	return m
}

func (f *field) target(c *Config) reflect.Value {
	return reflect.ValueOf(c).Elem().FieldByIndex(f.index)
}

func (f *field) value(c *Config) any { return f.target(c).Interface() }

// assign checks v and stores it.
func (f *field) assign(c *Config, v any) error {
	if err := f.check(v); err != nil {
		return err
	}
	t := f.target(c)
	t.Set(reflect.ValueOf(v).Convert(t.Type()))
	return nil
}

// setString parses the string form a flag or environment variable gives.
func (f *field) setString(c *Config, s string) error {
	var v any
	switch f.kind {
	case kindString:
		v = strings.TrimSpace(s)
	case kindInt:
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("invalid integer %q", s)
		}
		v = n
	case kindBool:
		b, err := parseBool(s)
		if err != nil {
			return err
		}
		v = b
	case kindList:
		v = splitList(s)
	case kindDuration:
		d, err := parseDuration(s)
		if err != nil {
			return err
		}
		v = d
	case kindRate:
		r, err := ParseRate(s)
		if err != nil {
			return err
		}
		v = r
	case kindMap:
		m, err := splitMap(s)
		if err != nil {
			return err
		}
		v = m
	}
	return f.assign(c, v)
}

// setTOML takes the value the TOML decoder produced for the key.
func (f *field) setTOML(c *Config, raw any) error {
	var v any
	switch f.kind {
	case kindString:
		switch x := raw.(type) {
		case string:
			v = x
		case time.Time:
			// start_date = 2026-12-01 (a bare TOML date) is as good as the quoted form.
			if f.checkName != "date" {
				return wrongType("a string", raw)
			}
			v = x.Format(time.DateOnly)
		default:
			return wrongType("a string", raw)
		}
	case kindInt:
		n, ok := raw.(int64)
		if !ok {
			return wrongType("an integer", raw)
		}
		if int64(int(n)) != n {
			return fmt.Errorf("integer %d out of range", n)
		}
		v = int(n)
	case kindBool:
		b, ok := raw.(bool)
		if !ok {
			return wrongType("true or false", raw)
		}
		v = b
	case kindList:
		items, ok := raw.([]any)
		if !ok {
			return wrongType(`a list of strings such as ["a", "b"]`, raw)
		}
		var list []string
		for _, it := range items {
			s, ok := it.(string)
			if !ok {
				return wrongType("a list of strings", raw)
			}
			list = append(list, s)
		}
		v = list
	case kindDuration, kindRate:
		s, ok := raw.(string)
		if !ok {
			if f.kind == kindDuration {
				return wrongType(`a quoted duration such as "30m"`, raw)
			}
			return wrongType(`a quoted rate such as "5/1m"`, raw)
		}
		return f.setString(c, s)
	case kindMap:
		table, ok := raw.(map[string]any)
		if !ok {
			return wrongType("a table of name = \"value\"", raw)
		}
		var m map[string]string
		for name, it := range table {
			s, ok := it.(string)
			if !ok {
				return entryError{name, wrongType("a string", it)}
			}
			if m == nil {
				m = map[string]string{}
			}
			m[name] = s
		}
		v = m
	}
	return f.assign(c, v)
}

func wrongType(want string, got any) error {
	return fmt.Errorf("want %s, got %s", want, describeTOML(got))
}

func describeTOML(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("string %q", x)
	case int64:
		return fmt.Sprintf("integer %d", x)
	case float64:
		return fmt.Sprintf("number %v", x)
	case bool:
		return fmt.Sprintf("boolean %v", x)
	case time.Time:
		return "date/time " + x.String()
	case []any:
		return "list"
	case map[string]any:
		return "table"
	case []map[string]any:
		return "list of tables"
	}
	return fmt.Sprintf("%T", v)
}

func parseDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("invalid duration %q (want a number with a unit: 500ms, 30s, 30m, 2h)", s)
	}
	return d, nil
}

func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "t", "true", "yes", "y", "on":
		return true, nil
	case "0", "f", "false", "no", "n", "off":
		return false, nil
	}
	return false, fmt.Errorf("invalid boolean %q (want true or false)", s)
}

// splitList splits on ASCII and full-width commas, since names typed on a
// Chinese keyboard often come with "，".
func splitList(s string) []string {
	var out []string
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' }) {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

func splitMap(s string) (map[string]string, error) {
	var m map[string]string
	for _, pair := range splitList(s) {
		name, value, ok := strings.Cut(pair, "=")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if !ok || name == "" {
			return nil, fmt.Errorf("invalid entry %q (want name=URL, comma-separated)", redact(pair))
		}
		if m == nil {
			m = map[string]string{}
		}
		m[name] = value
	}
	return m, nil
}

// loadFile applies the TOML file at path over c.
func (c *Config) loadFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("config %s: %w", path, err)
	}
	var raw map[string]any
	md, err := toml.Decode(string(data), &raw)
	if err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	var errs []error
	fail := func(err error) { errs = append(errs, fmt.Errorf("config %s: %w", path, err)) }
	// Walk the keys in file order so the errors read top to bottom.
	seen := map[string]bool{}
	for _, k := range md.Keys() {
		if len(k) == 0 || len(k) > 2 {
			if f, _, ok := tableEntry(k.String()); ok && len(k) == 3 && f.key == k[0]+"."+k[1] {
				continue // one entry inside a table such as [digest.webhooks]; handled with its table
			}
			fail(unknownKeyError(k.String()))
			continue
		}
		section := k[0]
		table, isTable := raw[section].(map[string]any)
		if len(k) == 1 {
			switch {
			case !knownSection(section):
				fail(unknownKeyError(section))
			case !isTable:
				fail(fmt.Errorf("%s: want a table [%s], got %s", section, section, describeTOML(raw[section])))
			}
			continue
		}
		key := k.String()
		if seen[key] || !knownSection(section) || !isTable {
			continue // an unknown section was reported once already
		}
		seen[key] = true
		f, ok := fieldByKey[key]
		if !ok {
			fail(unknownKeyError(key))
			continue
		}
		if err := f.setTOML(c, table[k[1]]); err != nil {
			fail(keyError(key, err))
		}
	}
	return errors.Join(errs...)
}

func knownSection(name string) bool {
	for _, f := range fields {
		if strings.HasPrefix(f.key, name+".") {
			return true
		}
	}
	return false
}

// applyEnv applies every non-empty REPORTBOT_* variable the table knows.
func (c *Config) applyEnv(getenv func(string) string) error {
	var errs []error
	apply := func(env string, f *field) {
		s := getenv(env)
		if s == "" {
			return
		}
		if err := f.setString(c, s); err != nil {
			errs = append(errs, fmt.Errorf("environment %s: %w", env, err))
		}
	}
	for _, a := range envAliases {
		apply(a.env, fieldByKey[a.key])
	}
	for i := range fields {
		apply(fields[i].env, &fields[i])
	}
	return errors.Join(errs...)
}

func unknownKeyError(key string) error {
	if guess := closestKey(key); guess != "" {
		return fmt.Errorf("unknown key %s (did you mean %s?)", key, guess)
	}
	return fmt.Errorf("unknown key %s", key)
}

// closestKey suggests the known key a typo most likely meant.
func closestKey(key string) string {
	best, bestDist := "", 3 // suggest only within two edits
	candidates := Keys()
	for i := range fields {
		section, _, _ := strings.Cut(fields[i].key, ".")
		candidates = append(candidates, section)
	}
	sort.Strings(candidates)
	for _, k := range candidates {
		if d := editDistance(key, k); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
