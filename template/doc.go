// Package template holds reply templates, the #{code} renderer and the
// forbidden-word matcher.
//
// A reply template (Template) has a title, a content with substitution
// codes and a search code; it is linked to processing categories, whose ids
// this package treats as opaque strings. Repository is the persistence
// port; package helpdesk runs the workflows around it (Templates.Create,
// LinkTemplate, SearchTemplates, AddForbiddenWords, Reply, PreviewReply ...).
//
// The renderer parses a text once into a Compiled value and renders it many
// times. A Matcher is built once per word list (Aho–Corasick over the
// folded words, our own implementation) and is safe for concurrent use.
//
// # Rules
//
//   - TPL-1 A reply template has a title (at most 200 bytes), a content (at
//     most 64 KiB) and a search code (at most 50 bytes, no white space),
//     all required, and links to processing categories. The search code is
//     unique in the service, compared folded (CodeKey: case and width do
//     not matter): a clash is a *DuplicateCodeError (it matches
//     helpdesk.ErrConflict).
//   - TPL-2 A template is linked to and unlinked from processing categories
//     one link at a time (Template.Link, Unlink; linking twice changes
//     nothing), and templates are listed by processing category
//     (Query.CategoryID). Only live processing categories can be linked;
//     deleting a category unlinks every template from it.
//   - TPL-3 Search (Query): by search-code prefix, and by words, each of
//     which must occur in the title or the content, all compared folded
//     (Fold). Results come by folded search code.
//   - TPL-4 Substitution codes are written #{name}: #{content},
//     #{ticketId} (the number people see), #{title}, #{customerName},
//     #{agentName} (the replying agent; in a trigger's text the assignee),
//     #{intakeType} (the intake category's name in the ticket's language),
//     and #{field.KEY} for a ticket field (empty when the ticket has no
//     value). Parse refuses an unknown code with its byte
//     offset (*ParseError), so texts with one are refused when saved, and
//     package helpdesk refuses a reply template whose #{field.KEY} names no
//     field of the service; ##{ writes a literal #{. Compiled.Render escapes each value
//     for the Target the text goes to (plain text, HTML, a JSON string);
//     the template's own text is taken as written.
//   - FWD-1 Each service has a list of forbidden words, added (all or
//     none), respelled and deleted by admins. A word is trimmed, one line,
//     at most 100 bytes, and unique in the list compared folded
//     (*DuplicateWordError); a list holds at most MaxWords.
//   - FWD-2 A public reply, and its preview, is refused when its text (as
//     rendered) contains a forbidden word: a *ForbiddenError lists every
//     occurrence with its byte offsets in that text (it matches
//     helpdesk.ErrInvalid). Matching is by substring on the folded text and
//     words (Fold: case-folded, full- and half-width forms folded, NFC).
//     Internal notes are not checked.
package template
