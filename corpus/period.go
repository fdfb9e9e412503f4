package corpus

import (
	"regexp"
	"strconv"
	"strings"
)

// Work reports have two halves: a review of the past year (or five) and the
// plan for the coming one. Which half a paragraph is in decides whether it
// answers "去年完成了多少" or "今年的目标是多少". The top-level heading says it
// for most paragraphs; a paragraph's own opening words (过去一年，…; 今年…)
// override it.

var (
	reReviewHeading = regexp.MustCompile(`回顾|过去|成绩|成就|工作总结|年来`)
	rePlanHeading   = regexp.MustCompile(`今年|目标|任务|要求|安排|建议|展望|重点工作|政策取向|部署|计划|思路|打算`)
	reReviewOpening = regexp.MustCompile(`^(?:过去一年|过去五年|过去的一年|去年|一年来|五年来|这一年|这五年|回顾过去)`)
	rePlanOpening   = regexp.MustCompile(`^(?:今年|新的一年|明年)`)
)

// assignPeriods sets every paragraph's Period.
func (r *Report) assignPeriods() {
	year := strconv.Itoa(r.Year)
	prev := strconv.Itoa(r.Year - 1)
	for _, p := range r.Paragraphs {
		p.Period = sectionPeriod(p.Section, year, prev)
		switch {
		case reReviewOpening.MatchString(p.Text) || r.Year > 0 && strings.HasPrefix(p.Text, prev+"年"):
			p.Period = PeriodReview
		case rePlanOpening.MatchString(p.Text) || r.Year > 0 && strings.HasPrefix(p.Text, year+"年") && p.Period != PeriodReview:
			p.Period = PeriodPlan
		}
	}
}

// sectionPeriod reads the period from the nearest heading that tells one,
// from the top level down: 一、2024年工作回顾 is review, 三、2025年政府工作任务
// is plan.
func sectionPeriod(sec *Section, year, prev string) Period {
	var path []*Section
	for ; sec != nil; sec = sec.Parent {
		path = append([]*Section{sec}, path...)
	}
	for _, s := range path {
		name := s.Name
		switch {
		case reReviewHeading.MatchString(name) || strings.Contains(name, prev+"年"):
			return PeriodReview
		case rePlanHeading.MatchString(name) || strings.Contains(name, year+"年"):
			return PeriodPlan
		}
	}
	return PeriodUnknown
}
