// Package agent holds the people who work a service's tickets: agents with
// their role, permissions and toggles, groups with their assignment
// strategy, the login log, menu access, and the Directory port to the host
// product's user directory.
//
// A new agent (New) gets what its caller leaves out from its role: an
// ordinary agent reads, works and forwards tickets on every contracted
// channel and is assigned tickets; an admin holds every permission (see
// DefaultPermissions and DefaultToggles). Explicit values, even empty
// ones, are kept as given.
//
// The package is pure: storage is behind Repository, GroupRepository,
// LoginLog and MenuRepository, which every store implements. The workflows
// that use it — adding agents, checking the actor of every call, assigning
// tickets — are in package helpdesk (the Agents and Groups areas of a
// helpdesk.Session, and its authorize point).
//
// # Rules
//
//   - AGT-1 An agent is a member of the host product's user directory
//     (Directory; Agent.Account is the member's account). With a Directory
//     configured (helpdesk.Config.Directory), only members can be added, and
//     their name and email come from the directory; anyone else can be
//     invited (Directory.Invite) and added once they have joined. Without a
//     Directory, the host vouches for the names and emails it passes.
//   - AGT-2 Adding an agent (New) sets the account, name, email, role,
//     groups, permissions (ticket, chat and phone consultation; forwarding;
//     log viewing; export), toggles, CTI id and extension. A channel
//     permission needs the channel contracted by the service, and the CTI id
//     and extension need phone (SVC-4); an email or account the service has
//     already is ErrConflict.
//   - AGT-3 Roles: RoleAdmin, an agent who also holds every permission and
//     may change the service's settings, and RoleAgent, who does ticket,
//     phone and chat work with the permissions granted. A service keeps at
//     least one active admin: an update that would demote or deactivate
//     the last one (themselves included) is refused with a
//     *ValidationError.
//   - AGT-4 Permissions are enforced by the library on every call: package
//     helpdesk authorizes the actor of each call in one place (SVC-3), with
//     Agent.Can (admins hold every permission). Reading and working tickets
//     needs the ticket permission, and forwarding also the forwarding one;
//     exporting the history needs the export permission, and reading the
//     login log the log-viewing one.
//   - AGT-5 Toggles: an agent whose ticket assignment is off is not given
//     tickets — not at creation, by forwarding, by a group's strategy or by
//     a trigger. Chat assignment is kept for the host's chat. With
//     assignment control on, agents may flip their own ticket and chat
//     assignment; only an admin changes the control itself, or another
//     agent's toggles.
//   - AGT-6 A group has a name (unique in the service, case-insensitively),
//     members in join order, a place in the display order (positions 0..n-1
//     without gaps: NextPosition, CheckReorder, Reorder, Renumber) and an
//     assignment Strategy: none (the ticket waits in the group), random (any
//     eligible member), round robin (members in join order, continuing after
//     the last one picked; the cursor is stored, so it is fair across
//     processes) or fixed (one agent, when eligible); see Pick and
//     NextAfter. Eligible members are active, have ticket assignment on,
//     hold the ticket permission and are not restricted from ticket
//     management; with none, the ticket stays with the group, unassigned.
//   - AGT-7 The login log records every login and logout (LoginEvent). The
//     host records them as the system or as the agent (an agent records only
//     their own); agents with the log-viewing permission read it newest
//     first, by period and agent (LoginFilter).
//   - AGT-8 Menu access: each of Menus (the full-admin menu is not one) is
//     allowed to everybody or partly allowed (MenuAccess: everybody but the
//     Restricted agents). An agent who still holds unprocessed (new, open,
//     pending) tickets cannot be restricted from ticket management, nor one
//     who holds callbacks (helpdesk.CallbackCounter) from callback
//     management; the error names each. An agent restricted from ticket
//     management cannot read or work tickets, nor be given one.
package agent
