package bot_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"sync"
	"testing"

	"github.com/reportbot/reportbot/bot"
	"github.com/reportbot/reportbot/corpus"
	"github.com/reportbot/reportbot/index"
	"github.com/reportbot/reportbot/internal/benchplain"
	"github.com/reportbot/reportbot/internal/testkit"
	"github.com/reportbot/reportbot/store/memstore"
)

// nationalEnv names the folder of the 51 national reports 1954–2025
// (../shared/corpora/national in the workspace). It lives outside the
// repository, so BenchmarkNational runs only when it is set.
const nationalEnv = "REPORTBOT_NATIONAL"

// nationalQuestions are asked of the national reports, cycled: official and
// everyday wording, targets, figures, reviews, policies, definitions, years
// named or not, and a few the reports do not answer. They are written for
// this benchmark only (none is in testdata/questions), and the benchmark
// measures time, not whether the answers are right.
var nationalQuestions = []string{
	// official wording
	"2024年国内生产总值增长的预期目标是多少",
	"城镇调查失业率要控制在多少以内",
	"居民消费价格涨幅的目标",
	"粮食产量保持在多少斤以上",
	"今年赤字率拟按多少安排",
	"地方政府专项债券拟安排多少亿元",
	"单位国内生产总值能耗降低多少",
	"第一个五年计划的基本任务是什么",
	"1978年提出了哪些主要任务",
	"全年减税降费的规模有多大",
	"超长期特别国债发行多少",
	"农村贫困人口减少了多少",
	"棚户区住房改造开工多少套",
	"深化国有企业改革的举措",
	"实施乡村振兴战略有哪些安排",
	"基本养老保险全国统筹",
	"细颗粒物浓度下降多少",
	"加快建设科技强国",
	"稳步推进以人为核心的新型城镇化",
	"2003年的政府工作报告讲了什么",
	// everyday wording
	"孩子上幼儿园太贵了怎么办",
	"看病住院能报销多少",
	"退休老人的养老金今年涨不涨",
	"找工作难国家有啥办法",
	"房价太高政府管不管",
	"农民种地有补贴吗",
	"雾霾天啥时候能少一点",
	"大学生毕业了工作咋安排",
	"开小店生意不好做有没有帮扶",
	"村里的路给不给修",
	"东西会不会越来越贵",
	"家里穷的娃上学有资助没有",
	"高铁今年要修多少公里",
	"退休年龄是不是要往后推",
	"快递能不能送到乡下",
	"买电动汽车有优惠吗",
	"去年经济到底怎么样",
	"乡下老人看病方便不方便",
	// the reports are silent
	"股票明年能涨吗",
	"地铁票价会不会降",
}

// BenchmarkNational is in-process asking over the 51 national reports, side
// by side with plain bleve on the same sentences and questions: Ask is
// (*bot.Bot).Ask, question to the reply a user sees, on index.Build of the
// reports as `reportbot ask --corpus DIR` builds it; PlainBleve is the plain
// setup of internal/benchplain (bleve.NewMemOnly, cjk analyzer, match query,
// top 5 with the stored text, as the benchmarks of package index); PlainBleveScorchMem the same on scorch in
// memory, the index kind ours uses. Each reports the p50 and p99 of one
// question and, with -benchmem, its allocations. The numbers are in
// docs/benchmarks.md; run it with
//
//	REPORTBOT_NATIONAL=$PWD/../shared/corpora/national go test -run '^$' -bench National -benchmem ./bot
//
// from the repository root (go test runs the benchmark in ./bot, so a
// relative folder would be read from there); scripts/bench does when the
// folder exists.
func BenchmarkNational(b *testing.B) {
	dir := os.Getenv(nationalEnv)
	if dir == "" {
		b.Skip("set " + nationalEnv + " to the folder of the 51 national reports to run it: " +
			nationalEnv + "=$PWD/../shared/corpora/national go test -run '^$' -bench National -benchmem ./bot")
	}
	reports, err := loadNational(dir)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()

	// Each setup is measured with only its own index in memory, as in a
	// process of its own: with all three built up front, every setup's
	// tail was the garbage collector marking the other two (plain bleve's
	// in-memory index is millions of small objects), which tripled our
	// p99.
	b.Run("Ask", func(b *testing.B) {
		ix, err := index.Build(ctx, reports, index.Options{})
		if err != nil {
			b.Fatalf("index %d national reports: %v", len(reports), err)
		}
		defer ix.Close()
		bt := bot.New(ix, memstore.New(), bot.Options{})
		runtime.GC()
		b.ReportAllocs()
		b.ResetTimer()
		testkit.TimeQuestions(b, nationalQuestions, func(q string) uint64 {
			if a := bt.Ask(ctx, q); a.Text == "" {
				b.Fatalf("no reply to %q", q)
			}
			return 0
		})
		b.ReportMetric(float64(len(reports)), "reports")
	})
	plain := func(where benchplain.Storage) func(b *testing.B) {
		return func(b *testing.B) {
			bi, err := benchplain.Build(reports, where)
			if err != nil {
				b.Fatal(err)
			}
			defer bi.Close()
			runtime.GC()
			b.ReportAllocs()
			b.ResetTimer()
			testkit.TimeQuestions(b, nationalQuestions, func(q string) uint64 {
				_, matched, err := benchplain.Search(ctx, bi, q, 5)
				if err != nil {
					b.Fatal(err)
				}
				return matched
			})
		}
	}
	b.Run("PlainBleve", plain(benchplain.Storage{}))
	b.Run("PlainBleveScorchMem", plain(benchplain.Storage{Scorch: true}))
}

// The national reports, read once per test binary (-count=3 runs the
// benchmark three times); each setup builds its index in its own run.
var (
	nationalOnce    sync.Once
	nationalReports []*corpus.Report
	nationalErr     error
)

// loadNational loads the reports as `reportbot ask --corpus DIR` does.
func loadNational(dir string) ([]*corpus.Report, error) {
	nationalOnce.Do(func() {
		reports, skipped, err := corpus.LoadDir(dir)
		switch {
		case err != nil:
			nationalErr = fmt.Errorf("load the national reports from %s: %w", dir, err)
		case len(skipped) > 0:
			nationalErr = fmt.Errorf("%s: %d files skipped, first %s: %v", dir, len(skipped), skipped[0].File, skipped[0].Reason)
		default:
			nationalReports = reports
		}
	})
	return nationalReports, nationalErr
}
