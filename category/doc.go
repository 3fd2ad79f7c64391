// Package category holds a service's two category trees: the intake types a
// customer or consultant picks and the processing types the handling agent
// picks.
//
// Every category stores the ids of its ancestors (Path), so "is or is
// under" (IsUnder) is a scan of at most four ids, and a category's path of
// names is one read.
//
// The package is pure: storage is behind Repository, which every store
// implements and adapters/storetest checks, and which makes no rule checks.
// The rules live here, once: PlanCreate, PlanMove, PlanReorder, PlanDelete
// and CheckRename check a write against the live tree (CheckMove,
// FindClashes, CheckReorder) and return the rows to store; package helpdesk
// runs them under the service's category lock, as admin calls
// (Categories.Create, MoveCategory, ReorderCategories, UpdateCategory,
// DeleteCategory).
//
// # Rules
//
//   - CAT-1 A service has two independent trees (Tree): Intake and
//     Processing. A category newly chosen for a ticket must be a live
//     category of the matching tree: intake for its intake category,
//     processing for its processing category.
//   - CAT-2 A tree has at most MaxDepth (5) levels: a root is level 1, a
//     child is one level below its parent. A category on a sixth level — by
//     creation, or by moving a subtree — is refused with a *DepthError; a
//     move under the category itself or below it with a *CycleError.
//   - CAT-3 Names are unique on one level of one tree, language by language:
//     two categories on the same level may not share a name in a language,
//     even under different parents; the same name may be used on different
//     levels. Names are compared by NameKey (NFKC, case and runs of spaces
//     ignored). A create, rename or move that clashes is refused with a
//     *NameClashError naming every clash (it matches helpdesk.ErrConflict).
//   - CAT-4 A category has a name per help-center language of the service
//     (an i18n.Text): a name in the service's default language is required,
//     names in languages the service does not have are refused, and a
//     missing name falls back to the default language (CheckName).
//   - CAT-5 A category can be renamed, reordered among its siblings, moved
//     with its subtree, and deleted. Deleting deletes the whole subtree
//     softly: the categories leave the tree, cannot be chosen for a ticket
//     any more and free their names, but keep their ids, names and paths,
//     so tickets that reference them keep the reference and their history
//     still shows the names they had (Names). Deleting also unlinks reply
//     templates from them (TPL-2).
//   - CAT-6 Intake categories have an enabled toggle (Category.Enabled):
//     a disabled one is usable in ticket management but not in the help
//     center. HelpCenter lists what customers may pick (live, enabled, with
//     every ancestor enabled); a new help-center ticket (channel
//     help_center, made by the system actor) is refused an intake category
//     that is not among them. Processing categories have no toggle.
//   - CAT-7 A category's id is stable and copyable: it never changes, and a
//     deleted category keeps its row, so an id is never reused.
package category
