package nhnsms

import (
	"fmt"
	"unicode/utf8"

	"golang.org/x/text/encoding/korean"
)

// Byte limits of the API in EUC-KR (SMS-2).
const (
	// SMSBytes is the most a short message (SMS) carries: a longer text
	// goes as LMS.
	SMSBytes = 90
	// TitleBytes is the most an LMS title carries.
	TitleBytes = 40
	// LMSBytes is the most an LMS body carries: a longer text is refused
	// (ErrTooLong), never split or cut.
	LMSBytes = 2000
)

// EUCKRLen returns the length of s in EUC-KR, the encoding the API
// counts its limits in, or an *EncodingError naming the first character
// EUC-KR cannot carry (an emoji, most Chinese characters).
func EUCKRLen(s string) (int, error) {
	b, err := korean.EUCKR.NewEncoder().String(s)
	if err == nil {
		return len(b), nil
	}
	enc := korean.EUCKR.NewEncoder()
	for i, r := range s {
		if r == utf8.RuneError {
			return 0, &EncodingError{Char: r, Offset: i}
		}
		if _, err := enc.String(string(r)); err != nil {
			return 0, &EncodingError{Char: r, Offset: i}
		}
	}
	return 0, &EncodingError{Char: utf8.RuneError}
}

// EncodingError is a text with a character EUC-KR cannot carry; it is
// refused before any call (SMS-2).
type EncodingError struct {
	Char   rune // the character
	Offset int  // its byte offset in the text
}

func (e *EncodingError) Error() string {
	return fmt.Sprintf("invalid: character %q (U+%04X) at byte %d cannot be sent: EUC-KR does not carry it", e.Char, e.Char, e.Offset)
}

// cut returns the longest prefix of s, ending on a character boundary,
// whose EUC-KR length is at most n bytes; s must be encodable.
func cut(s string, n int) string {
	size := 0
	for i, r := range s {
		w := 1
		if r >= utf8.RuneSelf {
			w = 2 // every non-ASCII character EUC-KR carries takes two bytes
		}
		if size+w > n {
			return s[:i]
		}
		size += w
	}
	return s
}
