// Package category holds a service's two category trees (CAT-1..7): the
// intake types a customer or consultant picks and the processing types the
// handling agent picks.
//
// A tree has at most MaxDepth levels. Each category has a name per
// help-center language, unique on its level of its tree for each language
// (NameKey decides what counts as the same name). Every category stores the
// ids of its ancestors (Path), so "is or is under" (IsUnder) is a scan of at
// most four ids, and a category's path of names is one read.
//
// Deleting a category deletes its subtree softly: the categories leave the
// tree and free their names, but keep their ids, names and paths, so
// tickets that reference them and their history still show the names they
// had (CAT-5). Ids are never reused (CAT-7).
//
// The package is pure: storage is behind Repository, which every store
// implements and adapters/storetest checks, and which makes no rule checks.
// The rules live here, once: PlanCreate, PlanMove, PlanReorder, PlanDelete
// and CheckRename check a write against the live tree (CheckMove,
// FindClashes, CheckReorder) and return the rows to store; package helpdesk
// runs them under the service's category lock.
package category
