package dashboard

import (
	"time"

	"github.com/gin-gonic/gin"
)

// Bounds on query parameters: every one is checked before it is used.
const (
	maxParamLen = 64 // longer values are refused before parsing
)

// firstDay is the earliest date any view accepts: KFOR entered Kosovo in
// June 1999; the air campaign that preceded it began in March 1999.
var firstDay = time.Date(1999, time.January, 1, 0, 0, 0, 0, time.UTC)

// dateParam reads a YYYY-MM-DD parameter between 1999-01-01 and today.
// Absent, it returns def.
func (s *Server) dateParam(c *gin.Context, name string, def time.Time) (time.Time, error) {
	v, ok := c.GetQuery(name)
	if !ok || v == "" {
		return def, nil
	}
	if len(v) > maxParamLen {
		return time.Time{}, Errorf(EInvalid, name, "is %d characters long (want a date as YYYY-MM-DD)", len(v))
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, Errorf(EInvalid, name, "%q is not a date (want YYYY-MM-DD)", v)
	}
	today := s.cfg.Now().UTC()
	if t.Before(firstDay) || t.After(today) {
		return time.Time{}, Errorf(EInvalid, name, "%s is out of range (want a date from %s to %s)", v, firstDay.Format(time.DateOnly), today.Format(time.DateOnly))
	}
	return t, nil
}

// boolParam reads 1/0, true/false, yes/no. Absent, it returns false.
func boolParam(c *gin.Context, name string) (bool, error) {
	v, ok := c.GetQuery(name)
	if !ok {
		return false, nil
	}
	switch v {
	case "1", "true", "yes", "":
		return true, nil
	case "0", "false", "no":
		return false, nil
	}
	if len(v) > maxParamLen {
		v = v[:maxParamLen] + "…"
	}
	return false, Errorf(EInvalid, name, "%q is not a boolean (want 1 or 0)", v)
}

// endOfDay is the last instant of t's day, so that a list dated that day
// counts as in force on it.
func endOfDay(t time.Time) time.Time {
	return t.Truncate(24 * time.Hour).Add(24*time.Hour - time.Nanosecond)
}
