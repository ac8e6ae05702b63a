//! Adoptions: a practice taken up by an organisation in a place, and how practices spread.
//!
//! An adoption records who took a practice up, where and when, how far it has got (planned,
//! piloting, in use, stopped), what was adapted and why, and what came of it. An adoption may
//! name the adoption it learned from (the district that showed it to them), which makes the
//! spread a tree rooted at the practice's origin: its lineage. The adopter's own practice record,
//! if they wrote one, is linked (`derived_record_id`), not copied.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{AdoptionId, OrganisationId, RecordId};
use crate::pilot::date;
use crate::validate::{Checker, Obj};
use crate::values::Link;
use crate::vocab::{AdoptionStatus, CountryCode, Place};

/// At most this many links per adoption.
pub const MAX_LINKS: usize = 20;
/// The longest "what was adapted" or "results" text.
pub const LONG_TEXT: usize = 5000;

/// What someone says about an adoption: the writable part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdoptionInput {
    /// The organisation that adopted the practice.
    #[cfg_attr(feature = "openapi", schema(value_type = uuid::Uuid))]
    pub organisation_id: OrganisationId,
    /// Where: a country or subdivision code.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "TH-40"))]
    pub place: Place,
    /// When it was adopted (or is planned to be).
    pub adopted_on: NaiveDate,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "in_use"))]
    pub status: AdoptionStatus,
    /// What was changed to fit the place, and why.
    #[serde(default)]
    pub adaptations: Option<String>,
    /// What came of it.
    #[serde(default)]
    pub results: Option<String>,
    /// The organisation to ask about this adoption, when not the adopter.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<uuid::Uuid>))]
    pub contact_organisation_id: Option<OrganisationId>,
    #[serde(default)]
    pub links: Vec<Link>,
    /// The adopter's own practice record, which points back with `derived_from`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<uuid::Uuid>))]
    pub derived_record_id: Option<RecordId>,
    /// The adoption this one learned from; none when it came from the practice's origin.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<uuid::Uuid>))]
    pub learned_from: Option<AdoptionId>,
}

impl AdoptionInput {
    /// Reads an adoption from untrusted input, reporting every problem by field.
    pub fn read(c: &mut Checker, o: &mut Obj<'_>) -> Option<AdoptionInput> {
        let organisation_id = c.parsed(o, "organisation_id", |s| {
            OrganisationId::parse(s).map_err(|_| crate::vocab::VocabError::new("organisation_id", "is not a UUID"))
        });
        if organisation_id.is_none() && !o.has("organisation_id") {
            c.report(&o.path("organisation_id"), "required", "is required: the adopting organisation");
        }
        let place = c.parsed(o, "place", Place::parse);
        if place.is_none() && !o.has("place") {
            c.report(&o.path("place"), "required", "is required: a country or subdivision code such as TH-40");
        }
        let adopted_on = date(c, o, "adopted_on");
        let status = c.parsed(o, "status", AdoptionStatus::parse);
        if status.is_none() && !o.has("status") {
            c.report(&o.path("status"), "required", "is required: planned, piloting, in_use or stopped");
        }
        let adaptations = c.block(o, "adaptations", LONG_TEXT);
        let results = c.block(o, "results", LONG_TEXT);
        let contact_organisation_id = c.parsed(o, "contact_organisation_id", |s| {
            OrganisationId::parse(s)
                .map_err(|_| crate::vocab::VocabError::new("contact_organisation_id", "is not a UUID"))
        });
        let links = c.list(o, "links", MAX_LINKS, Link::read);
        let derived_record_id = c.parsed(o, "derived_record_id", |s| {
            RecordId::parse(s).map_err(|_| crate::vocab::VocabError::new("derived_record_id", "is not a UUID"))
        });
        let learned_from = c.parsed(o, "learned_from", |s| {
            AdoptionId::parse(s).map_err(|_| crate::vocab::VocabError::new("learned_from", "is not a UUID"))
        });
        Some(AdoptionInput {
            organisation_id: organisation_id?,
            place: place?,
            adopted_on: adopted_on?,
            status: status?,
            adaptations,
            results,
            contact_organisation_id,
            links,
            derived_record_id,
            learned_from,
        })
    }
}

/// An adoption, as the store keeps it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Adoption {
    #[cfg_attr(feature = "openapi", schema(value_type = uuid::Uuid))]
    pub id: AdoptionId,
    /// The practice adopted.
    #[cfg_attr(feature = "openapi", schema(value_type = uuid::Uuid))]
    pub practice_id: RecordId,
    #[serde(flatten)]
    pub input: AdoptionInput,
    /// Goes up by one with every change; changes name the version they were made on.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Adoption {
    /// Whether the practice counts as taken up here: piloting or in use (not merely planned,
    /// not stopped).
    pub fn is_active(&self) -> bool {
        matches!(self.input.status, AdoptionStatus::Piloting | AdoptionStatus::InUse)
    }
}

/// Whether `place` lies within `origin` (the same place, or a subdivision of the origin
/// country, or a subdivision of the origin subdivision).
pub fn within(place: Place, origin: Place) -> bool {
    match (place, origin) {
        (p, o) if p.code() == o.code() => true,
        (Place::Subdivision(s), Place::Country(c)) => s.country() == c,
        (Place::Subdivision(s), Place::Subdivision(o)) => {
            let mut parent = s.parent();
            while let Some(p) = parent {
                if p.code() == o.code() {
                    return true;
                }
                parent = p.parent();
            }
            false
        }
        _ => false,
    }
}

/// How far a practice has spread: what its page says ("adopted in N places in M countries").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Spread {
    /// Distinct places of adoptions that are piloting or in use.
    pub places: usize,
    /// Distinct countries of those places.
    pub countries: usize,
    /// Adoptions in use in places beyond the practice's own: the `scaled` stage fits.
    pub in_use_beyond_origin: usize,
}

impl Spread {
    /// The spread of a practice from `origin` (its places) through `adoptions`.
    pub fn of(origin: &[Place], adoptions: &[Adoption]) -> Spread {
        let active: Vec<&Adoption> = adoptions.iter().filter(|a| a.is_active()).collect();
        let places: BTreeSet<&str> = active.iter().map(|a| a.input.place.code()).collect();
        let countries: BTreeSet<CountryCode> = active.iter().map(|a| a.input.place.country()).collect();
        let in_use_beyond_origin = adoptions
            .iter()
            .filter(|a| a.input.status == AdoptionStatus::InUse)
            .filter(|a| !origin.iter().any(|o| within(a.input.place, *o)))
            .count();
        Spread { places: places.len(), countries: countries.len(), in_use_beyond_origin }
    }

    /// Whether to suggest the `scaled` stage: in use somewhere beyond where it began.
    pub fn suggests_scaled(&self) -> bool {
        self.in_use_beyond_origin > 0
    }
}

/// The lineage of a practice's adoptions: which came from which, as a forest whose roots
/// learned from the origin. Each node is an index into the adoptions given, children in the
/// order adopted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lineage {
    pub index: usize,
    pub children: Vec<Lineage>,
}

impl Lineage {
    /// Builds the forest. An adoption whose `learned_from` is not among `adoptions`, or that
    /// sits on a cycle, is drawn as learning from the origin, so every adoption appears once.
    pub fn of(adoptions: &[Adoption]) -> Vec<Lineage> {
        let mut order: Vec<usize> = (0..adoptions.len()).collect();
        order.sort_by_key(|i| (adoptions[*i].input.adopted_on, adoptions[*i].id));
        let position: HashMap<AdoptionId, usize> = adoptions.iter().enumerate().map(|(i, a)| (a.id, i)).collect();
        // The parent of each, unless following parents from it comes back to it.
        let parent: Vec<Option<usize>> = (0..adoptions.len())
            .map(|i| {
                let p = adoptions[i].input.learned_from.and_then(|id| position.get(&id).copied())?;
                let mut at = Some(p);
                for _ in 0..=adoptions.len() {
                    match at {
                        None => return Some(p),
                        Some(x) if x == i => return None,
                        Some(x) => at = adoptions[x].input.learned_from.and_then(|id| position.get(&id).copied()),
                    }
                }
                None
            })
            .collect();
        fn build(i: usize, order: &[usize], parent: &[Option<usize>]) -> Lineage {
            let children = order.iter().filter(|c| parent[**c] == Some(i)).map(|c| build(*c, order, parent)).collect();
            Lineage { index: i, children }
        }
        order.iter().filter(|i| parent[**i].is_none()).map(|i| build(*i, &order, &parent)).collect()
    }

    /// Whether making `id` learn from `from` would close a cycle.
    pub fn would_cycle(adoptions: &[Adoption], id: AdoptionId, from: AdoptionId) -> bool {
        let by_id: HashMap<AdoptionId, &Adoption> = adoptions.iter().map(|a| (a.id, a)).collect();
        let mut at = Some(from);
        for _ in 0..=adoptions.len() {
            match at {
                None => return false,
                Some(x) if x == id => return true,
                Some(x) => at = by_id.get(&x).and_then(|a| a.input.learned_from),
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::Path;
    use serde_json::json;

    fn read(v: serde_json::Value) -> Result<AdoptionInput, crate::Violations> {
        let mut c = Checker::new();
        let mut o = c.object(Path::root(), &v);
        let input = AdoptionInput::read(&mut c, &mut o);
        c.done(o);
        let r = c.finish(());
        r.map(|_| input.unwrap())
    }

    fn adoption(place: &str, on: &str, status: &str, from: Option<AdoptionId>) -> Adoption {
        let input = read(json!({
            "organisation_id": OrganisationId::new().to_string(), "place": place, "adopted_on": on, "status": status,
            "learned_from": from.map(|f| f.to_string()),
        }))
        .unwrap();
        Adoption {
            id: AdoptionId::new(),
            practice_id: RecordId::new(),
            input,
            version: 1,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn reading_names_every_bad_field() {
        let err =
            read(json!({"place": "XX-99", "adopted_on": "2025-13-01", "status": "adopted", "links": ["ftp://x"]}))
                .unwrap_err();
        let fields = err.fields();
        for f in ["organisation_id", "place", "adopted_on", "status", "links[0]"] {
            assert!(fields.contains(&f), "{f} missing from {fields:?}");
        }
    }

    #[test]
    fn spread_counts_distinct_active_places_and_countries() {
        let origin = [Place::parse("BD").unwrap()];
        let list = vec![
            adoption("TH-40", "2024-01-01", "in_use", None),
            adoption("TH-40", "2024-02-01", "piloting", None),
            adoption("TH-10", "2024-03-01", "planned", None),
            adoption("PH", "2024-04-01", "stopped", None),
            adoption("BD-13", "2024-05-01", "in_use", None),
        ];
        let s = Spread::of(&origin, &list);
        // TH-40 and BD-13 are active; TH-10 is only planned and PH stopped.
        assert_eq!((s.places, s.countries), (2, 2));
        // BD-13 lies within BD, the origin; TH-40 lies beyond it.
        assert_eq!(s.in_use_beyond_origin, 1);
        assert!(s.suggests_scaled());
        let home_only = Spread::of(&origin, &list[4..]);
        assert!(!home_only.suggests_scaled());
    }

    #[test]
    fn within_follows_countries_and_subdivisions() {
        let p = |s| Place::parse(s).unwrap();
        assert!(within(p("BD-13"), p("BD")));
        assert!(within(p("BD"), p("BD")));
        assert!(!within(p("BD"), p("BD-13")));
        assert!(!within(p("TH-40"), p("BD")));
    }

    #[test]
    fn lineage_is_a_forest_in_date_order_and_survives_cycles() {
        let a = adoption("TH-40", "2023-01-01", "in_use", None);
        let b = adoption("TH-10", "2024-01-01", "in_use", Some(a.id));
        let c = adoption("LA", "2023-06-01", "in_use", Some(a.id));
        let d = adoption("KH", "2025-01-01", "piloting", Some(b.id));
        let list = vec![d.clone(), b.clone(), a.clone(), c.clone()];
        let forest = Lineage::of(&list);
        assert_eq!(forest.len(), 1);
        let root = &forest[0];
        assert_eq!(list[root.index].id, a.id);
        // c (June 2023) comes before b (2024) among a's children; d hangs under b.
        let kids: Vec<AdoptionId> = root.children.iter().map(|n| list[n.index].id).collect();
        assert_eq!(kids, vec![c.id, b.id]);
        assert_eq!(list[root.children[1].children[0].index].id, d.id);

        assert!(Lineage::would_cycle(&list, a.id, d.id));
        assert!(!Lineage::would_cycle(&list, d.id, c.id));

        // A cycle (stored by some older path) draws its members from the origin, each once.
        let mut x = adoption("VN", "2024-01-01", "in_use", None);
        let y = adoption("MY", "2024-02-01", "in_use", Some(x.id));
        x.input.learned_from = Some(y.id);
        let forest = Lineage::of(&[x, y]);
        assert_eq!(forest.len(), 2);
        assert!(forest.iter().all(|n| n.children.is_empty()));
    }
}
