//! Who may see and change what. Every front end asks these questions of the same functions.

use crate::ids::{OrganisationId, UserId};
use crate::record::Record;
use crate::role::{OrgRole, Role, Scope};
use crate::vocab::Status;
use crate::workflow::{self, Actors};

/// Someone making a request, with what they may do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Viewer {
    /// The person, if signed in (bootstrap tokens have a role but no person).
    pub user: Option<UserId>,
    pub role: Option<Role>,
    /// Their organisations and their role in each.
    pub memberships: Vec<(OrganisationId, OrgRole)>,
    /// For a personal API token, what it may do; `None` for a session (everything the person may).
    pub scopes: Option<Vec<Scope>>,
}

/// How someone stands towards a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Relation {
    None,
    /// A viewer in the record's organisation.
    OrgViewer,
    /// An owner or editor of the record's organisation.
    OrgEditor,
    /// The person who owns the record.
    Owner,
}

impl Viewer {
    pub fn anonymous() -> Viewer {
        Viewer::default()
    }

    pub fn is_signed_in(&self) -> bool {
        self.role.is_some()
    }

    /// Whether the token (if any) allows `scope`.
    pub fn has(&self, scope: Scope) -> bool {
        self.scopes.as_ref().is_none_or(|s| s.contains(&scope))
    }

    /// A curator or admin acting as such.
    pub fn is_curator(&self) -> bool {
        self.role.is_some_and(|r| r.is_staff()) && self.has(Scope::Review)
    }

    pub fn is_admin(&self) -> bool {
        self.role == Some(Role::Admin) && self.has(Scope::Admin)
    }

    /// A signed-in member of at least one organisation of the network.
    pub fn is_network_member(&self) -> bool {
        self.user.is_some() && !self.memberships.is_empty() && self.has(Scope::Read)
    }

    pub fn org_role(&self, org: OrganisationId) -> Option<OrgRole> {
        self.memberships.iter().find(|(o, _)| *o == org).map(|(_, r)| *r)
    }

    pub fn relation(&self, owner: Option<UserId>, organisation: Option<OrganisationId>) -> Relation {
        if self.user.is_some() && owner == self.user {
            return Relation::Owner;
        }
        match organisation.and_then(|o| self.org_role(o)) {
            Some(r) if r.can_edit() => Relation::OrgEditor,
            Some(_) => Relation::OrgViewer,
            None => Relation::None,
        }
    }

    fn record_relation(&self, r: &Record) -> Relation {
        self.relation(r.owner, r.content.organisation)
    }

    /// Whether the record may be shown to this viewer (with everything in it).
    pub fn can_view(&self, r: &Record) -> bool {
        if r.is_public() {
            return true;
        }
        let staff_read = self.role.is_some_and(|role| role.is_staff()) && self.has(Scope::Read);
        // Hidden content is the moderators' until they restore it.
        if r.content.hidden {
            return staff_read;
        }
        // A restricted challenge is for the members of the network's organisations.
        if r.content.status == Status::Published && r.content.is_restricted() && self.is_network_member() {
            return true;
        }
        staff_read || (self.record_relation(r) != Relation::None && self.has(Scope::Read))
    }

    /// Whether the viewer may see the record's personal data (its contact and owner).
    pub fn sees_personal_data(&self, r: &Record) -> bool {
        self.is_curator() || self.record_relation(r) >= Relation::OrgEditor
    }

    /// Whether the viewer acts as the record's editor (owner or organisation editor).
    pub fn is_editor_of(&self, r: &Record) -> bool {
        self.record_relation(r) >= Relation::OrgEditor && self.has(Scope::Write)
    }

    /// Whether the viewer may change the record's content.
    pub fn can_edit(&self, r: &Record) -> bool {
        // A copy harvested from a peer is read-only here: it changes at its origin.
        r.origin.is_local()
            && (self.is_curator()
                || (self.is_editor_of(r) && !r.content.hidden && workflow::editable_by_editors(r.content.status)))
    }

    /// Whether the viewer may delete the record: curators always, editors their drafts.
    pub fn can_delete(&self, r: &Record) -> bool {
        self.is_curator() || (self.is_editor_of(r) && matches!(r.content.status, Status::Draft | Status::Withdrawn))
    }

    /// The parts the viewer plays in the workflow of this record.
    pub fn actors(&self, r: &Record) -> Actors {
        Actors { editor: self.is_editor_of(r) && !r.content.hidden, curator: self.is_curator() }
    }

    /// Whether the viewer may read and write the record's review comments.
    pub fn can_discuss(&self, r: &Record) -> bool {
        self.is_curator() || (self.record_relation(r) >= Relation::OrgEditor && self.has(Scope::Write))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{InputMode, Origin, RecordInput};
    use crate::values::Slug;
    use crate::{RecordId, Role};

    fn record(owner: Option<UserId>, org: Option<OrganisationId>, status: Status, hidden: bool) -> Record {
        let mut input = RecordInput::from_json(
            &serde_json::json!({"kind": "idea", "title": "T", "lang": "en", "status": status.code(), "hidden": hidden}),
            InputMode::Create,
        )
        .unwrap();
        input.content.organisation = org;
        Record {
            id: RecordId::new(),
            slug: Slug::from_title("t", "idea"),
            uri: "u".into(),
            origin: Origin::Local,
            version: 1,
            content: input.content,
            owner,
            derived_from: None,
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
            published_at: None,
        }
    }

    fn member(user: UserId) -> Viewer {
        Viewer { user: Some(user), role: Some(Role::Member), ..Default::default() }
    }

    #[test]
    fn owners_editors_viewers_and_strangers() {
        let (alice, bob) = (UserId::new(), UserId::new());
        let org = OrganisationId::new();
        let draft = record(Some(alice), Some(org), Status::Draft, false);
        let published = record(Some(alice), Some(org), Status::Published, false);
        let hidden = record(Some(alice), Some(org), Status::Published, true);

        let owner = member(alice);
        let stranger = member(bob);
        let editor = Viewer { memberships: vec![(org, OrgRole::Editor)], ..member(bob) };
        let org_viewer = Viewer { memberships: vec![(org, OrgRole::Viewer)], ..member(bob) };
        let curator = Viewer { role: Some(Role::Curator), ..member(bob) };

        assert!(Viewer::anonymous().can_view(&published));
        assert!(!Viewer::anonymous().can_view(&draft));
        assert!(!stranger.can_view(&draft));
        assert!(owner.can_view(&draft) && editor.can_view(&draft) && org_viewer.can_view(&draft));
        assert!(!owner.can_view(&hidden), "hidden content is the moderators' alone");
        assert!(curator.can_view(&hidden));

        assert!(owner.can_edit(&draft) && editor.can_edit(&draft));
        assert!(!org_viewer.can_edit(&draft) && !stranger.can_edit(&draft));
        assert!(curator.can_edit(&draft));
        assert!(!owner.sees_personal_data(&record(Some(bob), None, Status::Published, false)));
        assert!(owner.can_delete(&draft) && !owner.can_delete(&published) && curator.can_delete(&published));

        let in_review = record(Some(alice), None, Status::InReview, false);
        assert!(!owner.can_edit(&in_review), "the curator has it");
    }

    #[test]
    fn token_scopes_narrow_what_a_person_may_do() {
        let alice = UserId::new();
        let draft = record(Some(alice), None, Status::Draft, false);
        let read_only = Viewer { scopes: Some(vec![Scope::Read]), ..member(alice) };
        assert!(read_only.can_view(&draft));
        assert!(!read_only.can_edit(&draft));
        let curator_writer = Viewer {
            user: Some(UserId::new()),
            role: Some(Role::Curator),
            scopes: Some(vec![Scope::Write]),
            ..Default::default()
        };
        assert!(!curator_writer.is_curator(), "review needs the review scope");
        assert!(!curator_writer.can_edit(&draft));
    }
}
