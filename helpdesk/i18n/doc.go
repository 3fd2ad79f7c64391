// Package i18n holds per-language texts with fallback to a service's default
// language. Every text a customer can see — category names, automatic and
// trigger mails, the internal-resolution text, surge templates — is a Text.
//
// # Rules
//
//   - SVC-2 A Text holds one text per BCP 47 language tag ("ko", "en").
//     Text.Get returns the text of the asked language, or, when that one is
//     missing or empty, the text of the service's default language, or "".
//     Canonical makes tags canonical ("EN-us" is "en-US") and refuses a
//     malformed one. Package helpdesk keeps each service's languages and
//     default language; its workflows refuse category names, field labels,
//     mail texts and trigger texts in a language the service does not have.
package i18n
