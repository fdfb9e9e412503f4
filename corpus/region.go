package corpus

import (
	_ "embed"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

//go:embed data/regions.txt
var regionsData string

// provinces maps the short names of China's province-level divisions to
// their full names (宁夏 → 宁夏回族自治区); places are all the names of
// data/regions.txt (provinces, their short names, capitals and main cities),
// longest first.
var provinces, places = func() (map[string]string, []string) {
	short := map[string]string{}
	var all []string
	for _, line := range strings.Split(regionsData, "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) >= 2 {
			short[f[1]] = f[0]
		}
		all = append(all, f...)
	}
	sort.Slice(all, func(i, j int) bool { return len(all[i]) > len(all[j]) })
	return short, all
}()

// Places returns the names of China's province-level divisions (full and
// short) and their capitals and main cities, longest first: a question that
// names one no loaded report is about is not answered from another region.
func Places() []string { return places }

// National is the Region of the State Council's reports.
const National = "全国"

var (
	reNationalTitle = regexp.MustCompile(`国务院|中华人民共和国政府工作报告|全国人民代表大会`)
	// 2025年浙江省政府工作报告, 北京市人民政府工作报告, 兰州新区工作报告.
	reRegionTitle = regexp.MustCompile(`([\p{Han}]{2,10}?(?:特别行政区|自治区|自治州|自治县|新区|省|市|区|县|州|盟|旗))(?:人民)?政府?工作报告`)
	reShortTitle  = regexp.MustCompile(`^([\p{Han}]{2,4}?)(?:人民)?政府工作报告`)
	// Any place name with its level, for titles that are not the usual form
	// (…兰州新区汇聚“七力”…——新区工作报告解读).
	rePlace = regexp.MustCompile(`([\p{Han}]{2,6}?(?:特别行政区|自治区|新区|省|市|县))`)
	// Suffixes dropped for the short name users say (浙江省 → 浙江).
	reRegionSuffix = regexp.MustCompile(`(?:省|市|特别行政区|(?:壮族|回族|维吾尔|维吾尔族)?自治区)$`)
)

// regionOf reads the region a report is about from its title: 全国 for the
// State Council's, else the place named before 政府工作报告, else the first
// place name in the title; "" when the title names none.
func regionOf(title string) string {
	t := squash(title)
	t = reYear.ReplaceAllString(t, "")
	if reNationalTitle.MatchString(t) {
		return National
	}
	if m := reRegionTitle.FindStringSubmatch(t); m != nil {
		return m[1]
	}
	// 2025年宁夏政府工作报告: a province by its short name.
	if m := reShortTitle.FindStringSubmatch(t); m != nil {
		if full, ok := provinces[m[1]]; ok {
			return full
		}
	}
	if m := rePlace.FindStringSubmatch(t); m != nil {
		return m[1]
	}
	return ""
}

// RegionNames returns the names a user may call the report's region by:
// the full name and the short one (浙江省, 浙江); for national reports 全国,
// 国家 and 国务院. Empty when the region is unknown.
func (r *Report) RegionNames() []string {
	switch r.Region {
	case "":
		return nil
	case National:
		return []string{National, "国务院", "中央"}
	}
	names := []string{r.Region}
	if short := reRegionSuffix.ReplaceAllString(r.Region, ""); short != r.Region && len([]rune(short)) >= 2 {
		names = append(names, short)
	}
	return names
}

// IsNational reports whether the report is the State Council's.
func (r *Report) IsNational() bool { return r.Region == National }

// shortRegion is the name to show (浙江, 全国).
func shortRegion(region string) string {
	s := reRegionSuffix.ReplaceAllString(region, "")
	if len([]rune(s)) < 2 {
		return region
	}
	return strings.TrimSpace(s)
}

// Label is how answers name the report in one line: 2025年浙江, 2023年全国,
// or the title when neither year nor region is known.
func (r *Report) Label() string {
	label := shortRegion(r.Region)
	if r.Year > 0 {
		label = strconv.Itoa(r.Year) + "年" + label
	}
	if label == "" {
		return r.Title
	}
	return label
}

// Newer reports whether a is preferred to b when a question names no report:
// the newer year, and at equal years the national report.
func Newer(a, b *Report) bool {
	if a.Year != b.Year {
		return a.Year > b.Year
	}
	return a.IsNational() && !b.IsNational()
}
