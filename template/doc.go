// Package template holds reply templates, the #{code} renderer and the
// forbidden-word matcher (TPL-1..4, FWD-1..2).
//
// A reply template (Template) has a title, a content with substitution
// codes and a search code unique in its service; it is linked to processing
// categories, whose ids this package treats as opaque strings. Repository is
// the persistence port; package helpdesk runs the workflows around it.
//
// The renderer parses a text once into a Compiled value and renders it many
// times. Codes are written #{name}: the TPL-4 codes (#{content},
// #{ticketId}, #{title}, #{customerName}, #{agentName}, #{intakeType}) and
// #{field.KEY} for a ticket field. An unknown code is refused by Parse with
// its byte offset (*ParseError); ##{ writes a literal #{. Values are escaped
// for the Target the text goes to (plain text, HTML, a JSON string).
//
// A Matcher finds forbidden words in a text (FWD-2). It is built once per
// word list (Aho–Corasick over the folded words, our own implementation) and
// is safe for concurrent use. Matching is case-insensitive and
// width- and NFC-normalised (Fold); every occurrence is reported with its
// byte offsets in the original, unfolded text.
package template
