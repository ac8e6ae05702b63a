//! Pilots: what a challenge's administration and a provider agree to try, how it went, and
//! whether the administration adopts it. The rules of who may move a pilot where live here;
//! the store keeps pilots and their history, the front ends ask these functions.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{ConversationId, PilotId, RecordId};
use crate::limits::{self, LONG_TEXT};
use crate::validate::{Checker, Obj, Path, Violations};
use crate::values::{MAX_AMOUNT, Money, parse_date};
use crate::vocab::*;

/// The two sides of a match: the challenge's people and the offer's (a practice's or a
/// solution's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Side {
    Challenge,
    Offer,
}

impl Side {
    pub fn as_str(&self) -> &'static str {
        match self {
            Side::Challenge => "challenge",
            Side::Offer => "offer",
        }
    }
    pub fn parse(s: &str) -> Option<Side> {
        match s {
            "challenge" => Some(Side::Challenge),
            "offer" => Some(Side::Offer),
            _ => None,
        }
    }
    pub fn other(&self) -> Side {
        match self {
            Side::Challenge => Side::Offer,
            Side::Offer => Side::Challenge,
        }
    }
}

/// At most this many KPIs and responsibilities per pilot.
pub const MAX_KPIS: usize = 20;
pub const MAX_RESPONSIBILITIES: usize = 30;

/// A measure of success: where it stands before the pilot, where the pilot should take it,
/// and (after the pilot) where it got. A target below the baseline means lower is better.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Kpi {
    pub name: String,
    /// What the numbers count: "days", "visits", "% of applications".
    #[serde(default)]
    pub unit: Option<String>,
    pub baseline: f64,
    pub target: f64,
    #[serde(default)]
    pub result: Option<f64>,
}

impl Kpi {
    /// Whether lower numbers are the better ones.
    pub fn lower_is_better(&self) -> bool {
        self.target < self.baseline
    }

    /// Whether the result reached the target; `None` before there is a result.
    pub fn met(&self) -> Option<bool> {
        let r = self.result?;
        Some(if self.lower_is_better() { r <= self.target } else { r >= self.target })
    }

    /// How much of the way from baseline to target the result went, in per cent (may pass
    /// 100, or be negative when things got worse); `None` without a result or when baseline
    /// and target are equal.
    pub fn progress_percent(&self) -> Option<f64> {
        let r = self.result?;
        let span = self.target - self.baseline;
        if span == 0.0 { None } else { Some((r - self.baseline) / span * 100.0) }
    }

    fn read(c: &mut Checker, path: &Path, v: &serde_json::Value) -> Option<Kpi> {
        let mut o = c.object(path.clone(), v);
        let name = c.required_line(&mut o, "name", limits::TITLE);
        let unit = c.line(&mut o, "unit", limits::SHORT_TEXT);
        let baseline = c.number(&mut o, "baseline", -MAX_AMOUNT, MAX_AMOUNT);
        let target = c.number(&mut o, "target", -MAX_AMOUNT, MAX_AMOUNT);
        for (key, value) in [("baseline", baseline), ("target", target)] {
            if value.is_none() && !o.has(key) {
                c.report(&o.path(key), "required", "is required");
            }
        }
        if let (Some(b), Some(t)) = (baseline, target)
            && b == t
        {
            c.report(
                &o.path("target"),
                "invalid_value",
                "must differ from the baseline, or there is nothing to achieve",
            );
        }
        let result = c.number(&mut o, "result", -MAX_AMOUNT, MAX_AMOUNT);
        c.done(o);
        Some(Kpi { name, unit, baseline: baseline?, target: target?, result })
    }
}

/// Who does what during the pilot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Responsibility {
    /// A side, an organisation or a role: "district office", "provider", "a2i".
    pub who: String,
    pub does: String,
}

impl Responsibility {
    fn read(c: &mut Checker, path: &Path, v: &serde_json::Value) -> Option<Responsibility> {
        let mut o = c.object(path.clone(), v);
        let who = c.required_line(&mut o, "who", limits::SHORT_TEXT);
        let does = c.required_line(&mut o, "does", limits::TITLE);
        c.done(o);
        Some(Responsibility { who, does })
    }
}

/// What the two sides agree to try.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PilotPlan {
    /// What will be tried, with whom, at what scale.
    pub scope: String,
    /// Where: a country or a subdivision.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "BD-13"))]
    pub place: Place,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    #[serde(default)]
    pub budget: Option<Money>,
    pub kpis: Vec<Kpi>,
    #[serde(default)]
    pub responsibilities: Vec<Responsibility>,
}

pub(crate) fn date(c: &mut Checker, o: &mut Obj<'_>, key: &'static str) -> Option<NaiveDate> {
    let d = c.parsed(o, key, parse_date);
    if d.is_none() && !o.has(key) {
        c.report(&o.path(key), "required", "is required");
    }
    d
}

impl PilotPlan {
    /// Reads a plan from untrusted input (the body of a proposal), reporting every problem.
    pub fn read(c: &mut Checker, o: &mut Obj<'_>) -> Option<PilotPlan> {
        let scope = c.block(o, "scope", LONG_TEXT);
        if scope.is_none() {
            c.report(&o.path("scope"), "required", "is required: say what the pilot will try, with whom");
        }
        let place = c.parsed(o, "place", Place::parse);
        if place.is_none() && !o.has("place") {
            c.report(&o.path("place"), "required", "is required: a country or subdivision code such as BD-13");
        }
        let starts_on = date(c, o, "starts_on");
        let ends_on = date(c, o, "ends_on");
        if let (Some(s), Some(e)) = (starts_on, ends_on)
            && e <= s
        {
            c.report(&o.path("ends_on"), "out_of_range", "must be after starts_on");
        }
        let budget = c.nested(o, "budget", Money::read);
        let kpis = c.list(o, "kpis", MAX_KPIS, Kpi::read);
        if kpis.is_empty() && !c.has_violations() {
            c.report(&o.path("kpis"), "required", "needs at least one KPI with a baseline and a target");
        }
        let responsibilities = c.list(o, "responsibilities", MAX_RESPONSIBILITIES, Responsibility::read);
        Some(PilotPlan {
            scope: scope?,
            place: place?,
            starts_on: starts_on?,
            ends_on: ends_on?,
            budget,
            kpis,
            responsibilities,
        })
    }
}

/// How the pilot went, in the parties' words, with the strength of the evidence it gives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Evaluation {
    pub summary: String,
    #[cfg_attr(feature = "openapi", schema(value_type = u8, minimum = 1, maximum = 5))]
    pub evidence_level: EvidenceLevel,
}

/// The contract awarded after a successful pilot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Award {
    pub date: NaiveDate,
    pub value: Money,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "limited"))]
    pub method: ProcurementMethod,
    /// The end of the contract, if known.
    #[serde(default)]
    pub contract_ends_on: Option<NaiveDate>,
}

impl Award {
    pub fn read(c: &mut Checker, o: &mut Obj<'_>) -> Option<Award> {
        let date = date(c, o, "date");
        let value = c.nested(o, "value", Money::read);
        if value.is_none() && !o.has("value") {
            c.report(&o.path("value"), "required", "is required: the amount and currency awarded");
        }
        let method = c.parsed(o, "method", ProcurementMethod::parse);
        if method.is_none() && !o.has("method") {
            c.report(&o.path("method"), "required", "is required: open, selective, limited or direct");
        }
        let contract_ends_on = c.parsed(o, "contract_ends_on", parse_date);
        if let (Some(d), Some(e)) = (date, contract_ends_on)
            && e <= d
        {
            c.report(&o.path("contract_ends_on"), "out_of_range", "must be after the award's date");
        }
        Some(Award { date: date?, value: value?, method: method?, contract_ends_on })
    }
}

/// A pilot, as the store keeps it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pilot {
    #[cfg_attr(feature = "openapi", schema(value_type = uuid::Uuid))]
    pub id: PilotId,
    #[cfg_attr(feature = "openapi", schema(value_type = uuid::Uuid))]
    pub conversation_id: ConversationId,
    #[cfg_attr(feature = "openapi", schema(value_type = uuid::Uuid))]
    pub challenge_id: RecordId,
    #[cfg_attr(feature = "openapi", schema(value_type = uuid::Uuid))]
    pub offer_id: RecordId,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "proposed"))]
    pub status: PilotStatus,
    /// The side whose version of the plan awaits the other's agreement.
    pub proposed_by: Side,
    pub plan: PilotPlan,
    pub evaluation: Option<Evaluation>,
    pub award: Option<Award>,
    /// The practice record the adoption created or updated.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<uuid::Uuid>))]
    pub practice_id: Option<RecordId>,
    /// Goes up by one with every change; changes name the version they were made on.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One step in a pilot's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PilotEvent {
    /// `proposed`, `revised`, or the status moved to.
    pub action: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub from: Option<PilotStatus>,
    pub side: Option<Side>,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
}

/// What a move may carry besides the new status.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Move {
    pub note: Option<String>,
    /// Results per KPI, in the plan's order (`None` leaves one as it was).
    pub results: Vec<Option<f64>>,
    pub evaluation: Option<Evaluation>,
    pub award: Option<Award>,
}

fn refuse(field: &str, code: &'static str, message: impl Into<String>) -> Violations {
    Violations::one(&Path::root().key(field), code, message)
}

impl Pilot {
    /// The statuses a side may move the pilot to from where it stands.
    pub fn moves_for(&self, side: Side) -> Vec<PilotStatus> {
        use PilotStatus::*;
        let mut out = match self.status {
            Proposed if side != self.proposed_by => vec![Agreed],
            Agreed => vec![Running],
            Running => vec![Evaluated],
            Evaluated if side == Side::Challenge => vec![Adopted],
            _ => vec![],
        };
        if !matches!(self.status, Adopted | Stopped) {
            out.push(Stopped);
        }
        out
    }

    /// Whether the plan may still change: only while proposed.
    pub fn plan_open(&self) -> bool {
        self.status == PilotStatus::Proposed
    }

    /// Replaces the plan while it is proposed; the side that changed it now awaits the
    /// other's agreement.
    pub fn revise(&mut self, plan: PilotPlan, by: Side) -> Result<(), Violations> {
        if !self.plan_open() {
            return Err(refuse(
                "status",
                "invalid_transition",
                format!("the plan is fixed once agreed; this pilot is {}", self.status.code()),
            ));
        }
        self.plan = plan;
        self.proposed_by = by;
        Ok(())
    }

    /// Moves the pilot to `to` for `side`, applying what the move carries. Every rule of the
    /// workflow is checked here; nothing changes when one fails.
    pub fn apply(&mut self, to: PilotStatus, side: Side, m: Move) -> Result<(), Violations> {
        if !self.moves_for(side).contains(&to) {
            let why = match (self.status, to) {
                (PilotStatus::Proposed, PilotStatus::Agreed) => {
                    "the other side agrees to a proposal; you proposed this version".to_string()
                }
                (PilotStatus::Evaluated, PilotStatus::Adopted) => {
                    "the challenge's administration decides whether to adopt".to_string()
                }
                (from, to) => format!("a pilot that is {} cannot move to {}", from.code(), to.code()),
            };
            return Err(refuse("to", "invalid_transition", why));
        }
        if m.results.len() > self.plan.kpis.len() {
            return Err(refuse(
                "results",
                "too_many",
                format!("has {} results for {} KPIs", m.results.len(), self.plan.kpis.len()),
            ));
        }
        if !m.results.is_empty() && to != PilotStatus::Evaluated {
            return Err(refuse("results", "invalid_value", "are recorded when the pilot is evaluated"));
        }
        if m.evaluation.is_some() && to != PilotStatus::Evaluated {
            return Err(refuse("evaluation", "invalid_value", "is given when the pilot is evaluated"));
        }
        if m.award.is_some() && to != PilotStatus::Adopted {
            return Err(refuse("award", "invalid_value", "is recorded on adoption"));
        }
        let mut kpis = self.plan.kpis.clone();
        for (k, r) in kpis.iter_mut().zip(&m.results) {
            if r.is_some() {
                k.result = *r;
            }
        }
        match to {
            PilotStatus::Evaluated => {
                if m.evaluation.is_none() {
                    return Err(refuse(
                        "evaluation",
                        "required",
                        "is required: a summary and the level of evidence the pilot gives",
                    ));
                }
                if let Some(i) = kpis.iter().position(|k| k.result.is_none()) {
                    return Err(Violations::one(
                        &Path::root().key("results").index(i),
                        "required",
                        format!("is required: the result for “{}”", kpis[i].name),
                    ));
                }
            }
            PilotStatus::Stopped if m.note.is_none() => {
                return Err(refuse("note", "required", "is required: say why the pilot stops"));
            }
            _ => {}
        }
        self.plan.kpis = kpis;
        if let Some(e) = m.evaluation {
            self.evaluation = Some(e);
        }
        if let Some(a) = m.award {
            self.award = Some(a);
        }
        self.status = to;
        Ok(())
    }
}

/// Reads an evaluation from untrusted input.
pub fn read_evaluation(c: &mut Checker, o: &mut Obj<'_>) -> Option<Evaluation> {
    let summary = c.block(o, "summary", LONG_TEXT);
    if summary.is_none() {
        c.report(&o.path("summary"), "required", "is required: what happened, measured against the KPIs");
    }
    let level = match o.get("evidence_level") {
        Some(v) => {
            let path = o.path("evidence_level");
            c.integer_value(&path, v, 0, 255).and_then(|n| match EvidenceLevel::new(n as u8) {
                Ok(l) => Some(l),
                Err(e) => {
                    c.report(&path, "out_of_range", e.message);
                    None
                }
            })
        }
        None => {
            c.report(&o.path("evidence_level"), "required", "is required: 1 to 5");
            None
        }
    };
    Some(Evaluation { summary: summary?, evidence_level: level? })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::Path;
    use serde_json::json;

    fn plan_json() -> serde_json::Value {
        json!({
            "scope": "Online mutation applications in two upazilas",
            "place": "BD-13",
            "starts_on": "2027-01-01",
            "ends_on": "2027-06-30",
            "budget": {"amount": 25000, "currency": "USD"},
            "kpis": [
                {"name": "Visits per application", "unit": "visits", "baseline": 5, "target": 1},
                {"name": "Applications online", "unit": "%", "baseline": 0, "target": 60}
            ],
            "responsibilities": [{"who": "district office", "does": "trains front-desk staff"}]
        })
    }

    fn read_plan(v: &serde_json::Value) -> Result<PilotPlan, Violations> {
        let mut c = Checker::new();
        let mut o = c.object(Path::root(), v);
        let plan = PilotPlan::read(&mut c, &mut o);
        c.done(o);
        let plan = c.finish(plan)?;
        Ok(plan.expect("a plan when nothing was reported"))
    }

    fn pilot() -> Pilot {
        Pilot {
            id: PilotId::new(),
            conversation_id: ConversationId::new(),
            challenge_id: RecordId::new(),
            offer_id: RecordId::new(),
            status: PilotStatus::Proposed,
            proposed_by: Side::Offer,
            plan: read_plan(&plan_json()).unwrap(),
            evaluation: None,
            award: None,
            practice_id: None,
            version: 1,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn a_plan_names_every_problem() {
        let e = read_plan(&json!({"place": "XX-99", "starts_on": "2027-05-01", "ends_on": "2027-01-01",
            "kpis": [{"name": "Visits", "baseline": 3, "target": 3}], "extra": 1}))
        .unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|v| v.field.as_str()).collect();
        for f in ["scope", "place", "ends_on", "kpis[0].target", "extra"] {
            assert!(fields.contains(&f), "{f} missing from {fields:?}");
        }
        let e = read_plan(&json!({"scope": "s", "place": "BD", "starts_on": "2027-01-01", "ends_on": "2027-02-01"}))
            .unwrap_err();
        assert_eq!(e.0[0].field, "kpis");
    }

    #[test]
    fn the_proposer_waits_for_the_other_side_to_agree() {
        let mut p = pilot();
        assert!(p.apply(PilotStatus::Agreed, Side::Offer, Move::default()).is_err());
        p.revise(read_plan(&plan_json()).unwrap(), Side::Challenge).unwrap();
        assert_eq!(p.proposed_by, Side::Challenge, "a revision is a counter-proposal");
        assert!(p.apply(PilotStatus::Agreed, Side::Challenge, Move::default()).is_err());
        p.apply(PilotStatus::Agreed, Side::Offer, Move::default()).unwrap();
        assert!(p.revise(read_plan(&plan_json()).unwrap(), Side::Offer).is_err(), "an agreed plan is fixed");
    }

    #[test]
    fn evaluation_needs_every_result_and_adoption_is_the_administrations() {
        let mut p = pilot();
        p.apply(PilotStatus::Agreed, Side::Challenge, Move::default()).unwrap();
        p.apply(PilotStatus::Running, Side::Offer, Move::default()).unwrap();
        let eval = Evaluation { summary: "Worked".into(), evidence_level: EvidenceLevel::new(2).unwrap() };
        let half = Move { results: vec![Some(1.0)], evaluation: Some(eval.clone()), ..Move::default() };
        let e = p.apply(PilotStatus::Evaluated, Side::Offer, half).unwrap_err();
        assert_eq!(e.0[0].field, "results[1]");
        assert_eq!(p.status, PilotStatus::Running, "a refused move changes nothing");
        assert_eq!(p.plan.kpis[0].result, None);
        let full = Move { results: vec![Some(1.0), Some(48.0)], evaluation: Some(eval), ..Move::default() };
        p.apply(PilotStatus::Evaluated, Side::Offer, full).unwrap();
        assert_eq!(p.plan.kpis[0].met(), Some(true), "one visit meets a target of one, lower being better");
        assert_eq!(p.plan.kpis[1].met(), Some(false));
        assert_eq!(p.plan.kpis[1].progress_percent(), Some(80.0));
        assert!(p.apply(PilotStatus::Adopted, Side::Offer, Move::default()).is_err());
        p.apply(PilotStatus::Adopted, Side::Challenge, Move::default()).unwrap();
        assert!(p.moves_for(Side::Challenge).is_empty(), "adopted is final");
    }

    #[test]
    fn stopping_needs_a_reason() {
        let mut p = pilot();
        assert_eq!(p.apply(PilotStatus::Stopped, Side::Offer, Move::default()).unwrap_err().0[0].field, "note");
        p.apply(PilotStatus::Stopped, Side::Offer, Move { note: Some("No budget".into()), ..Move::default() }).unwrap();
        assert!(p.moves_for(Side::Offer).is_empty());
    }
}

/// What it takes to procure after a successful pilot in one country, as the network's curators
/// keep it: the rules that apply (methods and thresholds), the steps, the documents for each.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Checklist {
    /// The rules that apply: the law, the methods and their thresholds, in the curators' words.
    pub rules: String,
    pub steps: Vec<ChecklistStep>,
    /// Where the rules are published.
    #[serde(default)]
    pub source: Option<crate::values::Link>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChecklistStep {
    pub title: String,
    #[serde(default)]
    pub detail: Option<String>,
    /// Documents to prepare for this step.
    #[serde(default)]
    pub documents: Vec<String>,
}

/// At most this many steps per checklist, and documents per step.
pub const MAX_STEPS: usize = 40;
pub const MAX_DOCUMENTS: usize = 20;

impl Checklist {
    pub fn read(c: &mut Checker, o: &mut Obj<'_>) -> Option<Checklist> {
        let rules = c.block(o, "rules", LONG_TEXT);
        if rules.is_none() {
            c.report(&o.path("rules"), "required", "is required: which rules apply, their methods and thresholds");
        }
        let steps = c.list(o, "steps", MAX_STEPS, |c, path, v| {
            let mut s = c.object(path.clone(), v);
            let title = c.required_line(&mut s, "title", limits::TITLE);
            let detail = c.block(&mut s, "detail", 2000);
            let documents = c.list(&mut s, "documents", MAX_DOCUMENTS, |c, p, v| c.line_value(p, v, limits::TITLE));
            c.done(s);
            Some(ChecklistStep { title, detail, documents })
        });
        if steps.is_empty() && !o.has("steps") {
            c.report(&o.path("steps"), "required", "needs at least one step");
        }
        let source = o.get("source").and_then(|v| crate::values::Link::read(c, &o.path("source"), v));
        Some(Checklist { rules: rules?, steps, source })
    }
}
