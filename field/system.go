package field

import (
	"cmp"
	"slices"
	"strings"

	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/internal/errs"
)

// The keys of the system fields (FLD-4, plus the two agent-side pins of
// FLD-3).
const (
	// Help center.
	KeyIntakeType     = "intake_type"     // the ticket's intake category (column)
	KeyEmail          = "email"           // the requester's email (column)
	KeyTitle          = "title"           // the ticket's title (column)
	KeyContent        = "content"         // the ticket's content (column)
	KeyPrivacyConsent = "privacy_consent" // checkbox
	// Phone.
	KeyConsultedAt       = "consulted_at"       // consultation date-time
	KeyCallDirection     = "call_direction"     // in/out: select "in" or "out"
	KeyPhoneReservation  = "phone_reservation"  // checkbox
	KeyReservedAt        = "reserved_at"        // reservation time
	KeyReservationNumber = "reservation_number" // text
	// Agent side, pinned on top of the agent layout (FLD-3).
	KeyProcessingType = "processing_type" // the ticket's processing category (column)
	KeyPriority       = "priority"        // the ticket's priority (column)
)

// columns maps the system fields that stand for a ticket column to the
// column's name.
var columns = map[string]string{
	KeyIntakeType:     "intake_category_id",
	KeyEmail:          "requester.email",
	KeyTitle:          "title",
	KeyContent:        "content",
	KeyProcessingType: "processing_category_id",
	KeyPriority:       "priority",
}

// alwaysRequired are the system fields whose column every ticket has.
var alwaysRequired = []string{KeyTitle, KeyContent, KeyPriority}

// The pinned fields of the layouts: customer layouts start with the intake
// type and end with the privacy consent (FLD-2); the agent layout starts
// with processing type, then priority (FLD-3).
var (
	pinnedFirst = map[Kind][]string{KindCustomer: {KeyIntakeType}, KindAgent: {KeyProcessingType, KeyPriority}}
	pinnedLast  = map[Kind][]string{KindCustomer: {KeyPrivacyConsent}}
)

// Pinned returns the keys pinned at the top and at the bottom of layouts of
// kind k.
func Pinned(k Kind) (top, bottom []string) {
	return slices.Clone(pinnedFirst[k]), slices.Clone(pinnedLast[k])
}

func sys(key string, k Kind, t Type, ko, en string, opts ...Option) Field {
	return Field{Key: key, Kind: k, Type: t, Label: i18n.Text{"ko": ko, "en": en}, Options: opts, System: true,
		Required: slices.Contains(alwaysRequired, key)}
}

func opt(v, ko, en string) Option { return Option{Value: v, Label: i18n.Text{"ko": ko, "en": en}} }

// systemFields are the defaults, in List order.
var systemFields = []Field{
	sys(KeyIntakeType, KindCustomer, TypeCategory, "문의 유형", "Inquiry type"),
	sys(KeyEmail, KindCustomer, TypeEmail, "이메일", "Email"),
	sys(KeyTitle, KindCustomer, TypeText, "제목", "Title"),
	sys(KeyContent, KindCustomer, TypeMultiline, "내용", "Content"),
	sys(KeyPrivacyConsent, KindCustomer, TypeCheckbox, "개인정보 수집 및 이용 동의", "Consent to the use of personal data"),
	sys(KeyConsultedAt, KindCustomer, TypeDateTime, "상담 일시", "Consultation date and time"),
	sys(KeyCallDirection, KindCustomer, TypeSelect, "수신/발신", "Inbound/outbound",
		opt("in", "수신", "Inbound"), opt("out", "발신", "Outbound")),
	sys(KeyPhoneReservation, KindCustomer, TypeCheckbox, "전화 예약", "Phone reservation"),
	sys(KeyReservedAt, KindCustomer, TypeDateTime, "예약 시간", "Reservation time"),
	sys(KeyReservationNumber, KindCustomer, TypeText, "예약 번호", "Reservation number"),
	sys(KeyProcessingType, KindAgent, TypeCategory, "처리 유형", "Processing type"),
	sys(KeyPriority, KindAgent, TypeSelect, "우선순위", "Priority",
		opt("low", "낮음", "Low"), opt("normal", "보통", "Normal"), opt("high", "높음", "High"), opt("urgent", "긴급", "Urgent")),
}

// SystemFields returns the system fields with their defaults, in the order
// Merge returns them. Required is off by default except for title, content
// and priority, which every ticket has; an admin turns it on where the form
// needs it (for instance the privacy consent).
func SystemFields() []Field {
	out := make([]Field, len(systemFields))
	for i, f := range systemFields {
		out[i] = f.Clone()
	}
	return out
}

// SystemField returns the defaults of the system field with key.
func SystemField(key string) (Field, bool) {
	for _, f := range systemFields {
		if f.Key == key {
			return f.Clone(), true
		}
	}
	return Field{}, false
}

// IsSystem reports whether key is the key of a system field.
func IsSystem(key string) bool {
	_, ok := SystemField(key)
	return ok
}

// Merge returns the service's fields from its stored rows (Repository.Rows):
// every system field (the stored version where one is stored, else its
// defaults) in SystemFields order, then the stored user fields by
// CreatedAt, then key (byte order). It returns copies.
func Merge(stored []Field) []Field {
	byKey := make(map[string]Field, len(stored))
	var user []Field
	for _, f := range stored {
		if f.System {
			byKey[f.Key] = f
		} else {
			user = append(user, f.Clone())
		}
	}
	out := make([]Field, 0, len(systemFields)+len(user))
	for _, d := range systemFields {
		if f, ok := byKey[d.Key]; ok {
			out = append(out, f.Clone())
		} else {
			out = append(out, d.Clone())
		}
	}
	slices.SortFunc(user, func(a, b Field) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.Key, b.Key))
	})
	return append(out, user...)
}

// Current returns field key as it applies, given its stored row (stored
// tells whether there is one): the row, else the defaults of the system
// field key; false when key names neither.
func Current(key string, row Field, stored bool) (Field, bool) {
	if stored {
		return row.Clone(), true
	}
	return SystemField(key)
}

// CheckCreate checks that f may be stored as a new user field (FLD-1),
// given whether its key has a stored row (taken): the key of a system field
// or of a stored field is ErrDuplicateKey; a system field is never created
// (helpdesk.ErrInvalid).
func CheckCreate(f Field, taken bool) error {
	if f.System {
		return errs.New(errs.ErrInvalid, "field %q: only user fields are created", f.Key)
	}
	if taken || IsSystem(f.Key) {
		return errs.New(ErrDuplicateKey, "the key %q is taken by another field", f.Key)
	}
	return nil
}

// CheckDelete checks that the field with key may be deleted, given whether
// it has a stored row: a system field cannot be, only reset (FLD-4:
// ErrSystemField); a key without a row is ErrNotFound.
func CheckDelete(key string, stored bool) error {
	switch {
	case IsSystem(key):
		return errs.New(ErrSystemField, "field %q cannot be deleted, only reset (FLD-4)", key)
	case !stored:
		return errs.NotFound("field", key)
	}
	return nil
}

// ResetTo returns the defaults a reset of the field with key restores
// (FLD-4), given whether key has a stored row: a user field has none
// (ErrNotSystem); a key that names no field is ErrNotFound. The reset is
// then "forget the stored row of a system field", if it has one.
func ResetTo(key string, stored bool) (Field, error) {
	if d, ok := SystemField(key); ok {
		return d, nil
	}
	if stored {
		return Field{}, errs.New(ErrNotSystem, "field %q has no defaults to reset to", key)
	}
	return Field{}, errs.NotFound("field", key)
}
