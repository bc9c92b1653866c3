package dashboard

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kforstats/kforstats/dashboard/i18n"
)

// ErrorCode is the one vocabulary of failures the server answers with;
// status maps each to an HTTP status in one place.
type ErrorCode string

// The error codes.
const (
	EInvalid     ErrorCode = "invalid"     // a query parameter is malformed or out of range
	ENotFound    ErrorCode = "not_found"   // no such route, chart or record
	EMethod      ErrorCode = "method"      // the route exists, the method does not
	EUnavailable ErrorCode = "unavailable" // overloaded or not ready: try again later
	ELimited     ErrorCode = "limited"     // this client asked for more new answers than its share: try again later
	EForbidden   ErrorCode = "forbidden"   // switched off by configuration
	ETooLarge    ErrorCode = "too_large"   // a request body over MaxBodyBytes
	EBadDataset  ErrorCode = "bad_dataset" // a reload found the record invalid: the last good one still serves
	EInternal    ErrorCode = "internal"    // a bug: never for bad input
)

// Error is a failure to report to the client.
type Error struct {
	Code  ErrorCode
	Param string // the offending query parameter, if any
	Msg   string // what is wrong and what was expected, in English
	// Text, when given, is Msg as a catalogue message: the body says it
	// in the client's language (lang=, else Accept-Language).
	Text i18n.Text
	// Detail is the longer story, such as every problem a reload found
	// in the record's files; may be empty.
	Detail string
}

func (e *Error) Error() string {
	if e.Param != "" {
		return e.Param + ": " + e.Msg
	}
	return e.Msg
}

// Errorf returns an *Error with a formatted message.
func Errorf(code ErrorCode, param, format string, args ...any) *Error {
	return &Error{Code: code, Param: param, Msg: fmt.Sprintf(format, args...)}
}

// status maps an error code to its HTTP status.
func status(code ErrorCode) int {
	switch code {
	case EInvalid:
		return http.StatusBadRequest
	case ENotFound:
		return http.StatusNotFound
	case EMethod:
		return http.StatusMethodNotAllowed
	case EUnavailable:
		return http.StatusServiceUnavailable
	case ELimited:
		return http.StatusTooManyRequests
	case EForbidden:
		return http.StatusForbidden
	case ETooLarge:
		return http.StatusRequestEntityTooLarge
	case EBadDataset:
		return http.StatusUnprocessableEntity
	}
	return http.StatusInternalServerError
}

// fail writes err as a JSON error body with its status.
func fail(c *gin.Context, err error) {
	var e *Error
	if !errors.As(err, &e) {
		e = &Error{Code: EInternal, Msg: "internal error"}
	}
	msg := e.Msg
	if !e.Text.IsZero() {
		l := clientLang(c)
		msg = e.Text.In(i18n.NewPrinter(l))
		c.Header("Vary", "Accept-Language")
		c.Header("Content-Language", l.Code)
	}
	body := gin.H{"error": msg, "code": e.Code}
	if e.Param != "" {
		body["param"] = e.Param
	}
	if e.Detail != "" {
		body["detail"] = e.Detail
	}
	c.Abort()
	c.JSON(status(e.Code), body)
}

// clientLang is the language a client asks its answers in: lang= when it
// names one, else its Accept-Language, else English.
func clientLang(c *gin.Context) i18n.Lang {
	if l, ok := i18n.Parse(c.Query("lang")); ok {
		return l
	}
	return i18n.Negotiate(c.GetHeader("Accept-Language"))
}
