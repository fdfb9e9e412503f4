package corpus

import (
	"fmt"
	"strings"
	"testing"
)

func TestExtractFigures(t *testing.T) {
	// Each want entry is Text|Unit|Clause.
	tests := []struct {
		in   string
		want []string
	}{
		{"全年到发200列以上。", []string{"200列以上|列|全年到发200列以上"}},
		{"打造紧密型医联体医共体,新增床位800张。", []string{"800张|张|新增床位800张"}},
		{"税收收入均增长20%以上", []string{"20%以上|%|税收收入均增长20%以上"}},
		{"城乡居民人均可支配收入分别增长8%、10%以上", []string{"8%、10%以上|%|城乡居民人均可支配收入分别增长8%、10%以上"}},
		{"地区生产总值、固定资产投资均增长20%以上", []string{"20%以上|%|地区生产总值、固定资产投资均增长20%以上"}},
		{"全年注册企业1300家以上、融资150亿元以上。", []string{"1300家以上|家|全年注册企业1300家以上", "150亿元以上|亿元|融资150亿元以上"}},
		{"全年完成30万单以上", []string{"30万单以上|万单|全年完成30万单以上"}},
		{"全面启动10平方公里光气产业园建设", []string{"10平方公里|平方公里|全面启动10平方公里光气产业园建设"}},
		// A line number names a line: no figure.
		{"推动建设轨道交通5号线、城际东环线", nil},
		{"快速推进三中、七小等10所学校建设。", []string{"10所|所|快速推进三中、七小等10所学校建设"}},
		{"全年执飞50班以上", []string{"50班以上|班|全年执飞50班以上"}},
		{"引进产业项目10个以上", []string{"10个以上|个|引进产业项目10个以上"}},
		{"创建什川、秦川、西岔3个省级乡村建设示范镇", []string{"3个|个|创建什川、秦川、西岔3个省级乡村建设示范镇"}},
		{"配套“15分钟生活圈”", []string{"15分钟|分钟|配套“15分钟生活圈”"}},
		{"建成数字化车间、智能工厂、绿色工厂10家以上", []string{"10家以上|家|建成数字化车间、智能工厂、绿色工厂10家以上"}},
		{"增长1.5倍,达到1,300人次", []string{"1.5倍|倍|增长1.5倍", "1,300人次|人次|达到1,300人次"}},
		{"提高2个百分点", []string{"2个百分点|个百分点|提高2个百分点"}},
		{"新增20余家、300多个", []string{"20余家|家|新增20余家", "300多个|个|300多个"}},
		{"增长8-10%", []string{"8-10%|%|增长8-10%"}},
		// Chinese numerals.
		{"项目30个以上、总投资百亿元以上", []string{"30个以上|个|项目30个以上", "百亿元以上|亿元|总投资百亿元以上"}},
		{"全省第一个千亿级产业园", []string{"千亿级|亿|全省第一个千亿级产业园"}},
		{"获批国家级新区十周年的重要时刻", []string{"十周年|周年|获批国家级新区十周年的重要时刻"}},
		// A few named things counted in words are wording, not figures.
		{"全面完成国企改革三年行动任务", nil},
		{"八家监管企业营收、利税均增长20%以上", []string{"20%以上|%|八家监管企业营收、利税均增长20%以上"}},
		// Units of real reports, approximations before the magnitude,
		// full-width forms normalised, and words that start with a unit.
		{"粮食产量稳定在1.3万亿斤以上", []string{"1.3万亿斤以上|万亿斤|粮食产量稳定在1.3万亿斤以上"}},
		{"能繁母猪存栏稳定在4100万头左右", []string{"4100万头左右|万头|能繁母猪存栏稳定在4100万头左右"}},
		{"城镇新增就业年均1270多万人", []string{"1270多万人|万人|城镇新增就业年均1270多万人"}},
		{"居民消费价格涨幅３％左右", []string{"3%左右|%|居民消费价格涨幅３％左右"}},
		{"细颗粒物浓度下降到30微克/立方米", []string{"30微克/立方米|微克/立方米|细颗粒物浓度下降到30微克/立方米"}},
		{"迈上千亿台阶", nil},
		// Not figures: dates, years, times, names, ordinals, idioms.
		{"2022年是党的二十大召开之年", nil},
		{"2022/01/14/ 11:03 来源", nil},
		{"2022年1月14日发布,1月起实施", nil},
		{"依托5G、工业互联网", nil},
		{"实施“335+X”产业倍增行动", nil},
		{"组队参加第十五届省运动会,全面释放第五航权效应", nil},
		{"落实“十四五”规划,迈入下一个“黄金十年”", nil},
		{"一带一路、一批企业、两个确立、八项规定、五位一体", nil},
		{"投资过千亿、产能过千亿", nil},
		{"平台三期", nil},
		{"编号1300", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, f := range ExtractFigures(tt.in) {
			got = append(got, fmt.Sprintf("%s|%s|%s", f.Text, f.Unit, f.Clause))
			if !strings.HasPrefix(normalizeFigure(tt.in[f.Pos:]), f.Text) {
				t.Errorf("%q: Pos %d does not point at %q", tt.in, f.Pos, f.Text)
			}
		}
		if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
			t.Errorf("ExtractFigures(%q):\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}
