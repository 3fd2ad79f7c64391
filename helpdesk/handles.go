package helpdesk

// The area handles of a Session. Each is a small value holding the session:
// cheap to make, safe to copy, and bound to the session's service and
// actor. The workflows they run live in the file of their area (tickets.go,
// categories.go, ...).

// Tickets returns the ticket workflows: create, read, list, update, status
// moves, replies, forwarding, history and export.
func (s *Session) Tickets() Tickets { return Tickets{s} }

// Categories returns the intake and processing category trees (rules:
// package category).
func (s *Session) Categories() Categories { return Categories{s} }

// Fields returns the ticket fields and their layouts (rules: package
// field).
func (s *Session) Fields() Fields { return Fields{s} }

// Templates returns the reply templates (rules: package template).
func (s *Session) Templates() Templates { return Templates{s} }

// ForbiddenWords returns the forbidden-word list checked on public replies
// (rules: package template).
func (s *Session) ForbiddenWords() ForbiddenWords { return ForbiddenWords{s} }

// Agents returns the agents, their login log and menu access (rules:
// package agent).
func (s *Session) Agents() Agents { return Agents{s} }

// Groups returns the agent groups and automatic assignment (AGT-6).
func (s *Session) Groups() Groups { return Groups{s} }

// Triggers returns the triggers: schema, definitions, order and dry runs
// (rules: package trigger).
func (s *Session) Triggers() Triggers { return Triggers{s} }

// Outbox returns the outbox of queued mails and notifications (NTF-1).
func (s *Session) Outbox() Outbox { return Outbox{s} }

// Recipients returns the external notification recipients (NTF-3).
func (s *Session) Recipients() Recipients { return Recipients{s} }

// Configuration returns the service's own settings (SVC-2, SVC-4, TKT-5,
// MAIL-5, MAIL-6, NTF-2).
func (s *Session) Configuration() Configuration { return Configuration{s} }

// Tickets is the ticket area of a Session (Session.Tickets).
type Tickets struct{ s *Session }

// Categories is the category area of a Session (Session.Categories).
type Categories struct{ s *Session }

// Fields is the ticket-field area of a Session (Session.Fields).
type Fields struct{ s *Session }

// Templates is the reply-template area of a Session (Session.Templates).
type Templates struct{ s *Session }

// ForbiddenWords is the forbidden-word area of a Session
// (Session.ForbiddenWords).
type ForbiddenWords struct{ s *Session }

// Agents is the agent area of a Session (Session.Agents).
type Agents struct{ s *Session }

// Groups is the agent-group area of a Session (Session.Groups).
type Groups struct{ s *Session }

// Triggers is the trigger area of a Session (Session.Triggers).
type Triggers struct{ s *Session }

// Outbox is the outbox area of a Session (Session.Outbox).
type Outbox struct{ s *Session }

// Recipients is the external-recipient area of a Session
// (Session.Recipients).
type Recipients struct{ s *Session }

// Configuration is the service-settings area of a Session
// (Session.Configuration).
type Configuration struct{ s *Session }
