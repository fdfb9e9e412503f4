package corpus

import (
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"
)

// Figures are recognised as: a number (Arabic, optionally with decimals,
// thousands commas and a 万/亿 magnitude; or Chinese numerals), an optional
// 余/多, a unit from the list below, and an optional qualifier (以上, 左右,
// 级 ...). Series joined by 、 or ranges (8%、10%以上, 8-10%) are one figure.
//
// Not figures: dates and years (2022年, 2022/01/14, 1月), times, ordinals
// (第十五届, 第5), numbers glued to Latin letters or + (5G, G20, 335+X are
// names), a lone 一 or 两 (一批, 两个确立 are idiom), Chinese numerals inside
// quotes (“十四五”, “黄金十年”), and Chinese numerals without a unit
// (二十大, 三新一高).

// units, longest first within a shared prefix so 个百分点 beats 个.
var units = []string{
	"%", "％", "‰",
	"个百分点", "百分点",
	"微克/立方米", "毫克/立方米", "平方公里", "平方千米", "平方米", "立方米", "千瓦时", "千瓦", "兆瓦", "吉瓦", "千伏",
	"千米", "千克", "公里", "公顷", "公斤", "吨标准煤", "标准煤", "吨", "亩", "斤", "毫米", "厘米", "米", "克",
	"美元", "欧元", "港元", "日元", "元",
	"个工作日", "工作日", "个月", "个",
	"家", "所", "列", "张", "班", "单", "项", "条", "座", "台套", "台", "辆", "架", "艘", "户", "头", "只", "羽", "株", "棵",
	"人次", "人", "名", "位", "次", "场", "届", "批", "件", "种", "类", "处", "套", "栋", "层", "床", "标准箱", "标箱",
	"间", "本", "部", "篇", "门", "宗", "笔", "例", "口", "眼", "册", "支", "对", "轮", "期",
	"倍", "成", "分钟", "小时", "天", "周年", "年", "周岁", "岁",
}

// unitWords are words that begin with a unit character but are no unit
// after a number (千亿台阶, 三个人, 两家企业 stays): the unit is not taken.
var unitWords = []string{
	"台阶", "人民", "人才", "个人", "个体", "家庭", "家园", "家乡", "条件", "条例", "项目", "所有", "所在", "名单",
	"名牌", "名片", "位置", "年代", "年轻", "场所", "场景", "批准", "种类", "处理", "套餐", "层次", "层面", "届时",
	"倍增", "次要", "次序", "类型", "间隔", "本地", "本土", "部门", "部署", "门槛", "门类", "口岸", "期间", "期限",
	"对外", "对接", "轮流", "支持", "支撑", "天然", "天地", "元素", "米粮", "头部",
}

// cnExcluded units make idioms rather than counts after a Chinese numeral
// (八项规定, 五位一体, 三成 is kept).
var cnExcluded = map[string]bool{"项": true, "位": true, "批": true, "件": true, "类": true, "次": true, "种": true, "名": true}

var qualifiers = []string{"以上", "以下", "以内", "左右", "上下", "之多", "级"}

// maxSeries bounds how many parts one series figure joins.
const maxSeries = 6

// rangeSeps join the parts of a series or range into one figure.
const rangeSeps = "、-~～至到—"

const cnDigits = "零〇一二两三四五六七八九十百千万亿"

func isDigit(r rune) bool { return r >= '0' && r <= '9' || r >= '０' && r <= '９' }
func isLatin(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }
func isCN(r rune) bool    { return strings.ContainsRune(cnDigits, r) }

// notFigure matches dates, years and times, whose digits are not figures.
var notFigure = regexp.MustCompile(`(?:19|20)\d{2}[\s\p{Zs}]*(?:[-/.年][\s\p{Zs}]*\d{1,2}[\s\p{Zs}]*(?:[-/.月][\s\p{Zs}]*\d{1,2}[\s\p{Zs}]*日?)?|年度?)|\d{1,2}[\s\p{Zs}]*月(?:[\s\p{Zs}]*\d{1,2}[\s\p{Zs}]*日)?|\d{1,2}[\s\p{Zs}]*日|\d{1,2}:\d{2}`)

// maskDates marks the runes of dates, years and times.
func maskDates(sentence string, masked []bool) {
	ms := notFigure.FindAllStringIndex(sentence, -1)
	if ms == nil {
		return
	}
	runeAt := make([]int, len(sentence)+1) // byte offset -> rune index
	k := 0
	for b := range sentence {
		runeAt[b] = k
		k++
	}
	runeAt[len(sentence)] = k
	for _, m := range ms {
		for k := runeAt[m[0]]; k < runeAt[m[1]]; k++ {
			masked[k] = true
		}
	}
}

// span is a figure found in a sentence, in rune offsets.
type span struct {
	start, end int
	unit       string
	qualified  bool // ends in a qualifier (以上, 级) or 行动
}

// ExtractFigures returns the figures of one sentence in order.
func ExtractFigures(sentence string) []Figure {
	rs := []rune(sentence)
	masked := make([]bool, len(rs))
	asciiDigits := strings.ContainsAny(sentence, "0123456789")
	if !asciiDigits && !strings.ContainsAny(sentence, cnDigits+"０１２３４５６７８９") {
		return nil
	}
	// The date regexp is the slowest step; dates need ASCII digits.
	if asciiDigits {
		maskDates(sentence, masked)
	}
	quoted := quotedRunes(rs)
	var spans []span
	for i := 0; i < len(rs); {
		sp, ok := figureAt(rs, i, masked, quoted)
		if !ok {
			i++
			continue
		}
		// Series: 8%、10%以上 or 8-10%: extend while another figure follows a
		// separator and this part has no qualifier of its own.
		for parts := 1; parts < maxSeries && sp.end+1 < len(rs) && strings.ContainsRune(rangeSeps, rs[sp.end]) && !sp.qualified; parts++ {
			next, ok := figureAt(rs, sp.end+1, masked, quoted)
			if !ok || sp.unit != "" && next.unit != sp.unit {
				break
			}
			sp.end, sp.unit, sp.qualified = next.end, next.unit, next.qualified
		}
		if sp.unit == "" && !sp.qualified {
			i = sp.end
			continue
		}
		spans = append(spans, sp)
		i = sp.end
	}
	if len(spans) == 0 {
		return nil
	}
	figs := make([]Figure, len(spans))
	cls := clauses(rs, spans)
	pos, at := 0, 0 // byte offset of rune at
	for k, sp := range spans {
		pos += byteLen(rs[at:sp.start])
		at = sp.start
		figs[k] = Figure{Text: normalizeFigure(string(rs[sp.start:sp.end])), Unit: normalizeFigure(sp.unit), Clause: cls[k], Pos: pos}
	}
	return figs
}

// figureAt parses a figure starting at rune i. A bare number (no unit, no
// qualifier) is returned with ok and unit "" so a series can start with it;
// the caller drops it if it stays bare.
func figureAt(rs []rune, i int, masked, quoted []bool) (span, bool) {
	if i >= len(rs) || masked[i] {
		return span{}, false
	}
	if i > 0 && (rs[i-1] == '第' || isLatin(rs[i-1]) || isDigit(rs[i-1]) || rs[i-1] == '.') {
		return span{}, false
	}
	j := i
	var mag string
	cn := false
	switch {
	case isDigit(rs[i]):
		for j < len(rs) && (isDigit(rs[j]) || j > i && numberPunct(rs, j)) {
			j++
		}
		if j < len(rs) && (isLatin(rs[j]) || rs[j] == '+' || rs[j] == '＋') {
			return span{}, false // 5G, 335+X: names
		}
		// 1270多万人: an approximation before the magnitude.
		if j+1 < len(rs) && (rs[j] == '余' || rs[j] == '多') && strings.ContainsRune("万亿", rs[j+1]) {
			j++
		}
		// Magnitude, unless it starts a unit (千米, 千瓦, 百分点).
		for j < len(rs) && strings.ContainsRune("万亿千百", rs[j]) && matchUnit(rs, j, false) == "" {
			mag += string(rs[j])
			j++
		}
	case isCN(rs[i]) && !quoted[i]:
		cn = true
		for j < len(rs) && isCN(rs[j]) {
			j++
		}
		if i > 0 && isCN(rs[i-1]) {
			return span{}, false
		}
		core := rs[i:j]
		// Trailing 万/亿 after a number is the magnitude of the unit (百亿元).
		for len(core) > 1 && (core[len(core)-1] == '万' || core[len(core)-1] == '亿') {
			mag = string(core[len(core)-1]) + mag
			core = core[:len(core)-1]
		}
		if len(core) == 1 && mag == "" && !strings.ContainsRune("十百千", core[0]) {
			// 一批, 两个确立, 八家监管企业, 三所学校: a count of a few named
			// things is wording, not a figure to quote.
			return span{}, false
		}
		if strings.ContainsAny(string(core), "〇零") && len(core) == 4 {
			return span{}, false // 二〇二二: a year
		}
	default:
		return span{}, false
	}
	if j+1 < len(rs) && (rs[j] == '余' || rs[j] == '多') && matchUnit(rs, j+1, cn) != "" {
		j++ // 20余家, 300多个
	}
	unit := matchUnit(rs, j, cn)
	if cn {
		switch {
		case unit == "年" && !followedBy(rs, j+1, "行动", "计划"):
			return span{}, false // 十年: idiom unless 三年行动
		case unit == "" && (mag == "" || !startsQualifier(rs, j)):
			// A Chinese numeral needs a measure word, or a magnitude and a
			// qualifier (千亿级), to be a figure.
			return span{}, false
		}
	}
	j += len([]rune(unit))
	qualified := false
	if unit == "年" && followedBy(rs, j, "行动") {
		j, qualified = j+2, true
	}
	for _, q := range qualifiers {
		if followedBy(rs, j, q) {
			j, qualified = j+len([]rune(q)), true
			break
		}
	}
	return span{start: i, end: j, unit: mag + unit, qualified: qualified}, true
}

// numberPunct: a decimal point before a digit (1.5) or a thousands comma
// before exactly three digits (1,300); the seed uses ASCII commas between
// clauses, so 8,10 is two numbers.
func numberPunct(rs []rune, j int) bool {
	switch rs[j] {
	case '.':
		return j+1 < len(rs) && isDigit(rs[j+1])
	case ',':
		return j+3 < len(rs) && isDigit(rs[j+1]) && isDigit(rs[j+2]) && isDigit(rs[j+3]) && (j+4 == len(rs) || !isDigit(rs[j+4]))
	}
	return false
}

func startsQualifier(rs []rune, j int) bool {
	for _, q := range qualifiers {
		if followedBy(rs, j, q) {
			return true
		}
	}
	return false
}

func followedBy(rs []rune, j int, words ...string) bool {
	for _, w := range words {
		if hasPrefixAt(rs, j, w) {
			return true
		}
	}
	return false
}

// hasPrefixAt reports whether rs[j:] starts with w, without converting the
// rest of the sentence (that would make extraction quadratic).
func hasPrefixAt(rs []rune, j int, w string) bool {
	for _, r := range w {
		if j >= len(rs) || rs[j] != r {
			return false
		}
		j++
	}
	return true
}

func matchUnit(rs []rune, j int, cn bool) string {
	for _, w := range unitWords {
		if hasPrefixAt(rs, j, w) {
			return ""
		}
	}
	for _, u := range units {
		if hasPrefixAt(rs, j, u) && !(cn && cnExcluded[u]) {
			return u
		}
	}
	return ""
}

// maxClause bounds a clause: a run-on sentence without punctuation gives
// the figure's 、-part or a window around the figure instead of all of it.
const maxClause = 80

// clauses returns the clause around each figure: its 、-part, extended left
// over 、-parts that hold no figure of their own (so 建成数字化车间、智能工厂、
// 绿色工厂10家以上 stays whole, while 全年注册企业1300家以上、融资150亿元以上
// gives two clauses), within the comma-delimited clause.
func clauses(rs []rune, spans []span) []string {
	const bounds = "，,；;：:。！？!?"
	n := len(rs)
	clauseStart := make([]int, n+1) // start of the comma clause holding i
	partStart := make([]int, n+1)   // start of the 、-part holding i (a 、 belongs to the part before it)
	partEnd := make([]int, n+1)     // first 、 or bound at or after i
	cs, ps := 0, 0
	for i := 0; i < n; i++ {
		clauseStart[i], partStart[i] = cs, ps
		if strings.ContainsRune(bounds, rs[i]) {
			cs, ps = i+1, i+1
		} else if rs[i] == '、' {
			ps = i + 1
		}
	}
	clauseStart[n], partStart[n] = cs, ps
	partEnd[n] = n
	for i := n - 1; i >= 0; i-- {
		partEnd[i] = partEnd[i+1]
		if rs[i] == '、' || strings.ContainsRune(bounds, rs[i]) {
			partEnd[i] = i
		}
	}
	hasFigure := func(a, b int) bool { // spans are sorted by start
		i := sort.Search(len(spans), func(i int) bool { return spans[i].start >= a })
		return i < len(spans) && spans[i].start < b
	}
	out := make([]string, len(spans))
	for k, sp := range spans {
		cs, ce := clauseStart[sp.start], partEnd[sp.end]
		a := partStart[sp.start]
		for a > cs {
			b := partStart[a-1] // the part before the 、 at a-1
			if hasFigure(b, a-1) || ce-b > maxClause {
				break
			}
			a = b
		}
		if ce-a > maxClause {
			a, ce = max(a, sp.start-maxClause/3), min(ce, sp.end+maxClause/3)
		}
		out[k] = trimSpace(string(rs[a:ce]))
	}
	return out
}

// quotedRunes marks runes inside “” and 《》, where Chinese numerals are
// names (“十四五”).
func quotedRunes(rs []rune) []bool {
	q := make([]bool, len(rs))
	depth := 0
	for i, r := range rs {
		switch r {
		case '“', '《', '「':
			depth++
		case '”', '》', '」':
			if depth > 0 {
				depth--
			}
		default:
			q[i] = depth > 0
		}
	}
	return q
}

func byteLen(rs []rune) int {
	n := 0
	for _, r := range rs {
		n += utf8.RuneLen(r)
	}
	return n
}

// normalizeFigure writes full-width digits, ％ and ． the ASCII way, so that
// 5．5％ and 5.5% are the same figure.
func normalizeFigure(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９':
			return r - '０' + '0'
		case r == '％':
			return '%'
		case r == '．':
			return '.'
		}
		return r
	}, s)
}
