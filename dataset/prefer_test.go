package dataset

import (
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

// TestPreferRule names each case of the rule in data/README.md ("Where
// observations overlap"). The fixture's sources: P1 official (2017-02),
// N1 press (2019-06-12), W1 secondary (2024-01).
func TestPreferRule(t *testing.T) {
	tests := map[string]struct {
		rows []string // strength.csv rows: date,troops,source,confidence,quote,scope,note
		want string   // the series, date=troops
		why  string   // a part of the first left-out row's Rule, when one is
	}{
		"1 uncertain figure left out near a sure one": {
			rows: []string{"2016-03,4600,P1,approximate,q,,", "2016-05,4500,W1,uncertain,q,,"},
			want: "2016-03=4600", why: "not used: uncertain, and P1",
		},
		"1 uncertain figure fills a gap": {
			rows: []string{"2010-03,10000,P1,approximate,q,,", "2012,5600,W1,uncertain,q,,"},
			want: "2010-03=10000 2012=5600",
		},
		"2 year-only figure left out for an as well sourced dated one": {
			rows: []string{"2012,5600,P1,approximate,q,,", "2012-04-21,5800,P1,approximate,q,,"},
			want: "2012-04-21=5800", why: "as well sourced, P1",
		},
		"2 year-only official figure kept beside a weaker press figure of a day": {
			rows: []string{"2015,4353,P1,exact,q,,", "2015-05-30,3800,N1,approximate,q,,"},
			want: "2015-05-30=3800 2015=4353",
		},
		"2 year-only exact figure kept beside an approximate one of the same kind": {
			rows: []string{"2015,4353,P1,exact,q,,", "2015-05-30,3800,P1,approximate,q,,"},
			want: "2015-05-30=3800 2015=4353",
		},
		"2 a year-only figure never overrules a dated one": {
			rows: []string{"2015,4353,P1,exact,q,,", "2015-05-30,3800,N1,derived,q,,"},
			want: "2015-05-30=3800 2015=4353",
		},
		"3 official month figure beats a press figure of a day in it (NATO's 'initially 50,000')": {
			rows: []string{"2000-06-20,19000,N1,exact,q,kosovo,", "2000-06,50000,P1,approximate,q,,"},
			want: "2000-06=50000", why: "an official source beats a press one",
		},
		"3 exact beats approximate of the same kind": {
			rows: []string{"2017-02-20,4300,P1,approximate,q,,", "2017-02,4273,P1,exact,q,,"},
			want: "2017-02=4273", why: "exact beats approximate",
		},
		"3 a day beats a month of equal rank": {
			rows: []string{"2000-06,50000,P1,approximate,q,,", "2000-06-15,24500,P1,approximate,q,theatre,"},
			want: "2000-06-15=24500", why: "a date to the day beats a date to the month",
		},
		"3 theatre beats kosovo on the same day": {
			rows: []string{"1999-09-08,41000,P1,approximate,q,kosovo,", "1999-09-08,49000,P1,approximate,q,theatre,"},
			want: "1999-09-08=49000", why: "whole force in theatre beats one for kosovo",
		},
		"3 earlier line wins a full tie": {
			rows: []string{"2011-05,5500,P1,approximate,q,,", "2011-05,5600,P1,approximate,q,,"},
			want: "2011-05=5500", why: "earlier line in strength.csv wins",
		},
		"days in one month do not compete": {
			rows: []string{"2011-05-02,5500,N1,approximate,q,,", "2011-05-20,5600,P1,exact,q,,"},
			want: "2011-05-02=5500 2011-05-20=5600",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			m := overlay(t, "")
			m["strength.csv"] = &fstest.MapFile{Data: []byte("date,troops,source,confidence,quote,scope,note\n" + strings.Join(tc.rows, "\n") + "\n")}
			d, err := Load(m, Options{Now: testNow})
			if err != nil {
				t.Fatalf("Load = %v", err)
			}
			var got []string
			for _, p := range d.Series() {
				got = append(got, p.Date.String()+"="+strconv.Itoa(p.Troops))
			}
			if g := strings.Join(got, " "); g != tc.want {
				t.Errorf("Series() = %s, want %s", g, tc.want)
			}
			for _, o := range d.Observations {
				if !o.Preferred && tc.why != "" && !strings.Contains(o.Rule, tc.why) {
					t.Errorf("line %d: Rule = %q, want it to say %q", o.Line, o.Rule, tc.why)
				}
				if !o.Preferred && tc.why == "" {
					t.Errorf("line %d left out (%s), want every figure used", o.Line, o.Rule)
				}
			}
		})
	}
}
