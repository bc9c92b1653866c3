package dataset

import (
	"fmt"
	"strconv"
	"time"
)

// Precision says how much of a Date a source gave: a day, a month or a year.
type Precision uint8

// The precisions, finest first.
const (
	Day Precision = iota
	Month
	Year
)

// String returns "day", "month" or "year".
func (p Precision) String() string {
	switch p {
	case Day:
		return "day"
	case Month:
		return "month"
	case Year:
		return "year"
	}
	return "precision(" + strconv.Itoa(int(p)) + ")"
}

// Date is a calendar date as precise as its source: 2017-02-15, 2017-02 or
// 2017. Sources often give only a month or a year; the record keeps what they
// gave instead of inventing a day.
type Date struct {
	Year      int
	Month     time.Month // 0 when Precision is Year
	Day       int        // 0 when Precision is Month or Year
	Precision Precision
}

// ParseDate reads YYYY, YYYY-MM or YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	bad := func() (Date, error) {
		return Date{}, fmt.Errorf("%q is not a date (want YYYY, YYYY-MM or YYYY-MM-DD)", s)
	}
	switch len(s) {
	case 4:
		y, err := strconv.Atoi(s)
		if err != nil || s[0] == '+' || s[0] == '-' {
			return bad()
		}
		return checkYear(Date{Year: y, Precision: Year})
	case 7:
		t, err := time.Parse("2006-01", s)
		if err != nil {
			return bad()
		}
		return checkYear(Date{Year: t.Year(), Month: t.Month(), Precision: Month})
	case 10:
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return bad()
		}
		return checkYear(Date{Year: t.Year(), Month: t.Month(), Day: t.Day(), Precision: Day})
	}
	return bad()
}

// MinYear is the earliest year a date in the record may have: NATO's
// founding (1949) is the oldest date it needs.
const MinYear = 1900

func checkYear(d Date) (Date, error) {
	if d.Year < MinYear {
		return Date{}, fmt.Errorf("%s is before %d (want a year from %d on)", d, MinYear, MinYear)
	}
	return d, nil
}

// MustDate is ParseDate for literals in code and tests; it panics on error.
func MustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// DayOf returns the day-precision Date of t.
func DayOf(t time.Time) Date {
	return Date{Year: t.Year(), Month: t.Month(), Day: t.Day(), Precision: Day}
}

// String returns the date in the form it was given.
func (d Date) String() string {
	switch d.Precision {
	case Year:
		return fmt.Sprintf("%04d", d.Year)
	case Month:
		return fmt.Sprintf("%04d-%02d", d.Year, int(d.Month))
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d.Year == 0 }

// Start is the first instant of the period d names, in UTC.
func (d Date) Start() time.Time {
	switch d.Precision {
	case Year:
		return time.Date(d.Year, time.January, 1, 0, 0, 0, 0, time.UTC)
	case Month:
		return time.Date(d.Year, d.Month, 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
}

// End is the first instant after the period d names, in UTC.
func (d Date) End() time.Time {
	switch d.Precision {
	case Year:
		return d.Start().AddDate(1, 0, 0)
	case Month:
		return d.Start().AddDate(0, 1, 0)
	}
	return d.Start().AddDate(0, 0, 1)
}

// Time is the instant a chart plots d at: the day itself, the 15th of a
// month, or 1 July of a year (the middle of the period, so that a figure
// known only to the month or year is not drawn at the period's edge).
func (d Date) Time() time.Time {
	switch d.Precision {
	case Year:
		return time.Date(d.Year, time.July, 1, 0, 0, 0, 0, time.UTC)
	case Month:
		return time.Date(d.Year, d.Month, 15, 0, 0, 0, 0, time.UTC)
	}
	return d.Start()
}

// ISO returns Time formatted as YYYY-MM-DD, the form the API uses.
func (d Date) ISO() string { return d.Time().Format(time.DateOnly) }

// Before reports whether d is plotted before e, breaking ties by precision
// (a day before the month that holds it, a month before its year).
func (d Date) Before(e Date) bool {
	if !d.Time().Equal(e.Time()) {
		return d.Time().Before(e.Time())
	}
	return d.Precision < e.Precision
}

// Contains reports whether instant t falls within the period d names.
func (d Date) Contains(t time.Time) bool {
	return !t.Before(d.Start()) && t.Before(d.End())
}

// EndOfDay is the last instant of t's day, so that a figure or list dated
// that day counts as in force on it.
func EndOfDay(t time.Time) time.Time {
	return t.Truncate(24 * time.Hour).Add(24*time.Hour - time.Nanosecond)
}
