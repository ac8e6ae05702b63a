//! Service Process Simplification: what a citizen spends on a service, step by step, before and
//! after a redesign, measured as Time, Cost and Visits (TCV), per application and per year.
//!
//! A process map is a list of steps. Each step costs the citizen time (travelling, waiting,
//! being served, in hours), money (fees, travel and other costs, in the step's currency) and
//! perhaps a visit to an office. A map's totals are the sums of its steps, with money converted
//! into one currency through a table of dated exchange rates. Comparing the "as is" map with a
//! "to be" map gives the reductions, in absolute terms and in per cent of the "as is" figure,
//! per application and, multiplied by the yearly number of applications, per year. Nothing here
//! divides by zero: a per cent of a zero baseline is `None`, not infinity.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{AdoptionId, RecordId, ServiceId};
use crate::limits;
use crate::validate::{Checker, Obj, Path};
use crate::vocab::{CurrencyCode, Place, VocabError};

/// One step of a process, as the citizen lives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Step {
    /// Who acts: "citizen", "union digital centre", "land office".
    pub actor: String,
    /// What happens: "submits the application".
    pub action: String,
    /// Hours the citizen spends travelling for this step.
    #[serde(default)]
    pub travel_hours: f64,
    /// Hours the citizen waits (in a queue, or for a decision they must be present for).
    #[serde(default)]
    pub waiting_hours: f64,
    /// Hours the citizen spends being served.
    #[serde(default)]
    pub processing_hours: f64,
    /// Official fees.
    #[serde(default)]
    pub fees: f64,
    /// What travelling costs the citizen.
    #[serde(default)]
    pub travel_cost: f64,
    /// Other costs: copies, photographs, intermediaries.
    #[serde(default)]
    pub other_cost: f64,
    /// The currency of this step's costs.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "BDT"))]
    pub currency: CurrencyCode,
    /// Whether the step needs the citizen at an office.
    #[serde(default)]
    pub visit: bool,
    /// Documents the citizen must bring.
    #[serde(default)]
    pub documents: Vec<String>,
}

impl Step {
    pub fn hours(&self) -> f64 {
        self.travel_hours + self.waiting_hours + self.processing_hours
    }
    pub fn cost(&self) -> f64 {
        self.fees + self.travel_cost + self.other_cost
    }
}

/// An exchange rate: how many units of `currency` one unit of the table's base currency buys,
/// from `valid_from` until the next rate of the same currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rate {
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "BDT"))]
    pub currency: CurrencyCode,
    pub valid_from: NaiveDate,
    pub per_base: f64,
}

/// The admin's table of exchange rates against one base currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rates {
    /// The currency every rate is against, and the one network totals are shown in.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "USD"))]
    pub base: CurrencyCode,
    pub rates: Vec<Rate>,
}

/// At most this many rates in the table.
pub const MAX_RATES: usize = 2000;

impl Rates {
    /// Reads a rate table from untrusted input: a base currency and rates against it, each
    /// positive, none for the base itself, no two for one currency on one day.
    pub fn read(c: &mut Checker, o: &mut Obj<'_>) -> Option<Rates> {
        let base = c.parsed(o, "base", CurrencyCode::parse);
        if base.is_none() && !o.has("base") {
            c.report(&o.path("base"), "required", "is required: the currency rates are against, such as USD");
        }
        let mut seen = std::collections::HashSet::new();
        let rates = c.list(o, "rates", MAX_RATES, |c, path, v| {
            let mut r = c.object(path.clone(), v);
            let currency = c.parsed(&mut r, "currency", CurrencyCode::parse);
            if currency.is_none() && !r.has("currency") {
                c.report(&r.path("currency"), "required", "is required");
            }
            let valid_from = crate::pilot::date(c, &mut r, "valid_from");
            let per_base = c.number(&mut r, "per_base", 0.0, 1e12);
            match per_base {
                None if !r.has("per_base") => c.report(&r.path("per_base"), "required", "is required"),
                Some(n) if n <= 0.0 => c.report(&r.path("per_base"), "out_of_range", "must be more than 0"),
                _ => {}
            }
            if let (Some(cur), Some(b)) = (currency, base)
                && cur == b
            {
                c.report(&r.path("currency"), "invalid_value", "is the base currency, which is always 1");
            }
            if let (Some(cur), Some(d)) = (currency, valid_from)
                && !seen.insert((cur.code(), d))
            {
                c.report(&r.path("valid_from"), "repeated", format!("{} already has a rate from {d}", cur.code()));
            }
            c.done(r);
            Some(Rate { currency: currency?, valid_from: valid_from?, per_base: per_base.filter(|n| *n > 0.0)? })
        });
        let mut rates = rates;
        rates.sort_by(|a, b| a.currency.code().cmp(b.currency.code()).then(a.valid_from.cmp(&b.valid_from)));
        Some(Rates { base: base?, rates })
    }
}

/// A conversion the table cannot make.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no exchange rate for {currency} on or before {on}")]
pub struct MissingRate {
    pub currency: String,
    pub on: NaiveDate,
}

impl Rates {
    /// Units of `currency` per unit of the base, on `on`: the latest rate from that day or
    /// before. The base itself is 1.
    pub fn per_base(&self, currency: CurrencyCode, on: NaiveDate) -> Result<f64, MissingRate> {
        if currency == self.base {
            return Ok(1.0);
        }
        self.rates
            .iter()
            .filter(|r| r.currency == currency && r.valid_from <= on && r.per_base > 0.0)
            .max_by_key(|r| r.valid_from)
            .map(|r| r.per_base)
            .ok_or_else(|| MissingRate { currency: currency.code().to_string(), on })
    }

    /// `amount` of `from` in `to`, at the rates of `on`.
    pub fn convert(
        &self,
        amount: f64,
        from: CurrencyCode,
        to: CurrencyCode,
        on: NaiveDate,
    ) -> Result<f64, MissingRate> {
        if from == to {
            return Ok(amount);
        }
        Ok(amount / self.per_base(from, on)? * self.per_base(to, on)?)
    }
}

/// Time, cost and visits for one application.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Totals {
    pub hours: f64,
    /// In the comparison's currency.
    pub cost: f64,
    pub visits: u32,
}

impl Totals {
    /// The sums of the steps, costs converted into `currency` at the rates of `on`.
    pub fn of(steps: &[Step], currency: CurrencyCode, rates: &Rates, on: NaiveDate) -> Result<Totals, MissingRate> {
        let mut t = Totals { hours: 0.0, cost: 0.0, visits: 0 };
        for s in steps {
            t.hours += s.hours();
            t.cost += rates.convert(s.cost(), s.currency, currency, on)?;
            t.visits += u32::from(s.visit);
        }
        Ok(t)
    }

    fn times(&self, n: u64) -> YearTotals {
        let n = n as f64;
        YearTotals { hours: self.hours * n, cost: self.cost * n, visits: f64::from(self.visits) * n }
    }
}

/// Totals over a year's applications.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct YearTotals {
    pub hours: f64,
    pub cost: f64,
    pub visits: f64,
}

/// How much less a figure is after than before.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reduction {
    /// Before minus after: negative when the "to be" costs more.
    pub absolute: f64,
    /// The absolute reduction in per cent of before; `None` when before is zero.
    pub percent: Option<f64>,
}

impl Reduction {
    pub fn between(before: f64, after: f64) -> Reduction {
        let absolute = before - after;
        let percent = (before > 0.0).then(|| absolute / before * 100.0);
        Reduction { absolute, percent }
    }
}

/// The comparison of an "as is" process with a "to be" one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Comparison {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub currency: CurrencyCode,
    pub before: Totals,
    pub after: Totals,
    pub hours: Reduction,
    pub cost: Reduction,
    pub visits: Reduction,
    /// Applications a year.
    pub yearly_volume: u64,
    pub yearly_before: YearTotals,
    pub yearly_after: YearTotals,
    /// What a year's applicants save: hours, money and visits.
    pub yearly_saved: YearTotals,
}

impl Comparison {
    pub fn new(
        as_is: &[Step],
        to_be: &[Step],
        yearly_volume: u64,
        currency: CurrencyCode,
        rates: &Rates,
        on: NaiveDate,
    ) -> Result<Comparison, MissingRate> {
        let before = Totals::of(as_is, currency, rates, on)?;
        let after = Totals::of(to_be, currency, rates, on)?;
        let (yb, ya) = (before.times(yearly_volume), after.times(yearly_volume));
        Ok(Comparison {
            currency,
            before,
            after,
            hours: Reduction::between(before.hours, after.hours),
            cost: Reduction::between(before.cost, after.cost),
            visits: Reduction::between(f64::from(before.visits), f64::from(after.visits)),
            yearly_volume,
            yearly_before: yb,
            yearly_after: ya,
            yearly_saved: YearTotals {
                hours: yb.hours - ya.hours,
                cost: yb.cost - ya.cost,
                visits: yb.visits - ya.visits,
            },
        })
    }
}

/// At most this many process maps per service, and steps per map.
pub const MAX_MAPS: usize = 8;
pub const MAX_STEPS: usize = 60;
/// At most this many documents per step.
pub const MAX_DOCUMENTS: usize = 20;
/// The largest number of hours one step may take, and the largest amount it may cost.
pub const MAX_HOURS: f64 = 10_000.0;
pub const MAX_AMOUNT: f64 = 1e12;
/// The largest yearly number of applications.
pub const MAX_VOLUME: i64 = 10_000_000_000;

impl Step {
    fn read(c: &mut Checker, path: &Path, v: &serde_json::Value, currency: Option<CurrencyCode>) -> Option<Step> {
        let mut o = c.object(path.clone(), v);
        let actor = c.required_line(&mut o, "actor", limits::TITLE);
        let action = c.required_line(&mut o, "action", limits::TITLE);
        let hours = |c: &mut Checker, o: &mut Obj<'_>, key| c.number(o, key, 0.0, MAX_HOURS).unwrap_or(0.0);
        let travel_hours = hours(c, &mut o, "travel_hours");
        let waiting_hours = hours(c, &mut o, "waiting_hours");
        let processing_hours = hours(c, &mut o, "processing_hours");
        let amount = |c: &mut Checker, o: &mut Obj<'_>, key| c.number(o, key, 0.0, MAX_AMOUNT).unwrap_or(0.0);
        let fees = amount(c, &mut o, "fees");
        let travel_cost = amount(c, &mut o, "travel_cost");
        let other_cost = amount(c, &mut o, "other_cost");
        // A step's currency defaults to the service's.
        let own = c.parsed(&mut o, "currency", CurrencyCode::parse);
        let visit = c.bool(&mut o, "visit").unwrap_or(false);
        let documents = c.list(&mut o, "documents", MAX_DOCUMENTS, |c, p, v| c.line_value(p, v, limits::TITLE));
        c.done(o);
        Some(Step {
            actor,
            action,
            travel_hours,
            waiting_hours,
            processing_hours,
            fees,
            travel_cost,
            other_cost,
            currency: own.or(currency)?,
            visit,
            documents,
        })
    }
}

/// One version of a service's process: the "as is" or a "to be".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProcessMap {
    /// "As is (2019)", "To be: online application".
    pub label: String,
    /// Whether this is the process as it was before simplification (exactly one map is).
    pub as_is: bool,
    /// For a "to be": the day it went live, from which citizens save.
    #[serde(default)]
    pub live_from: Option<NaiveDate>,
    pub steps: Vec<Step>,
}

/// What someone writes about a service and its process maps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceInput {
    /// The practice whose TCV evidence this service is.
    #[cfg_attr(feature = "openapi", schema(value_type = uuid::Uuid))]
    pub practice_id: RecordId,
    /// When the service is run by an adopter: the adoption.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<uuid::Uuid>))]
    pub adoption_id: Option<AdoptionId>,
    /// "Mutation of land records".
    pub name: String,
    /// Who provides it: "Assistant Commissioner (Land) office".
    pub agency: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "BD-13"))]
    pub place: Place,
    /// Applications a year.
    pub yearly_volume: u64,
    /// The currency the service's totals are shown in; steps default to it.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "BDT"))]
    pub currency: CurrencyCode,
    pub maps: Vec<ProcessMap>,
}

impl ServiceInput {
    /// Reads a service from untrusted input, reporting every problem by field.
    pub fn read(c: &mut Checker, o: &mut Obj<'_>) -> Option<ServiceInput> {
        let practice_id = c.parsed(o, "practice_id", |s| {
            RecordId::parse(s).map_err(|_| VocabError::new("practice_id", "is not a UUID"))
        });
        if practice_id.is_none() && !o.has("practice_id") {
            c.report(&o.path("practice_id"), "required", "is required: the practice this service is evidence of");
        }
        let adoption_id = c.parsed(o, "adoption_id", |s| {
            AdoptionId::parse(s).map_err(|_| VocabError::new("adoption_id", "is not a UUID"))
        });
        let name = c.required_line(o, "name", limits::TITLE);
        let agency = c.required_line(o, "agency", limits::TITLE);
        let place = c.parsed(o, "place", Place::parse);
        if place.is_none() && !o.has("place") {
            c.report(&o.path("place"), "required", "is required: a country or subdivision code such as BD-13");
        }
        let yearly_volume = c.integer(o, "yearly_volume", 0, MAX_VOLUME);
        if yearly_volume.is_none() && !o.has("yearly_volume") {
            c.report(&o.path("yearly_volume"), "required", "is required: applications a year");
        }
        let currency = c.parsed(o, "currency", CurrencyCode::parse);
        if currency.is_none() && !o.has("currency") {
            c.report(&o.path("currency"), "required", "is required: an ISO 4217 code such as BDT");
        }
        let maps = c.list(o, "maps", MAX_MAPS, |c, path, v| {
            let mut m = c.object(path.clone(), v);
            let label = c.required_line(&mut m, "label", limits::TITLE);
            let as_is = c.bool(&mut m, "as_is").unwrap_or(false);
            let live_from = c.parsed(&mut m, "live_from", crate::values::parse_date);
            if as_is && live_from.is_some() {
                c.report(&m.path("live_from"), "invalid_value", "is for a \"to be\" map: when it went live");
            }
            let steps = c.list(&mut m, "steps", MAX_STEPS, |c, p, v| Step::read(c, p, v, currency));
            if steps.is_empty() && !c.has_violations() {
                c.report(&m.path("steps"), "required", "needs at least one step");
            }
            c.done(m);
            Some(ProcessMap { label, as_is, live_from, steps })
        });
        let as_is = maps.iter().filter(|m| m.as_is).count();
        if as_is != 1 && !c.has_violations() {
            c.report(
                &o.path("maps"),
                if as_is == 0 { "required" } else { "invalid_value" },
                format!("needs exactly one \"as is\" map; it has {as_is}"),
            );
        }
        Some(ServiceInput {
            practice_id: practice_id?,
            adoption_id,
            name,
            agency,
            place: place?,
            yearly_volume: u64::try_from(yearly_volume?).ok()?,
            currency: currency?,
            maps,
        })
    }

    /// The "as is" map.
    pub fn as_is(&self) -> Option<&ProcessMap> {
        self.maps.iter().find(|m| m.as_is)
    }

    /// The "to be" that counts on `today`: the one live most recently by then; if none is live
    /// yet, the last one listed (the plan).
    pub fn current(&self, today: NaiveDate) -> Option<&ProcessMap> {
        let mut to_be = self.maps.iter().filter(|m| !m.as_is);
        to_be
            .clone()
            .filter(|m| m.live_from.is_some_and(|d| d <= today))
            .max_by_key(|m| m.live_from)
            .or_else(|| to_be.next_back())
    }

    /// The "as is" compared with `map`, in `currency`, at the rates of the day `map` went live
    /// (or `today`, for a map not yet live).
    pub fn compare(
        &self,
        map: &ProcessMap,
        currency: CurrencyCode,
        rates: &Rates,
        today: NaiveDate,
    ) -> Option<Result<Comparison, MissingRate>> {
        let as_is = self.as_is()?;
        let on = map.live_from.filter(|d| *d <= today).unwrap_or(today);
        Some(Comparison::new(&as_is.steps, &map.steps, self.yearly_volume, currency, rates, on))
    }
}

/// A service, as the store keeps it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Service {
    #[cfg_attr(feature = "openapi", schema(value_type = uuid::Uuid))]
    pub id: ServiceId,
    #[serde(flatten)]
    pub input: ServiceInput,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What simplified services have saved citizens by a day: each live "to be" saves its yearly
/// figures spread evenly over the year, from the day it went live.
pub fn saved_by(live: &[(NaiveDate, YearTotals)], day: NaiveDate) -> YearTotals {
    let mut t = YearTotals { hours: 0.0, cost: 0.0, visits: 0.0 };
    for (from, yearly) in live {
        let days = (day - *from).num_days();
        if days > 0 {
            let share = days as f64 / 365.0;
            t.hours += yearly.hours * share;
            t.cost += yearly.cost * share;
            t.visits += yearly.visits * share;
        }
    }
    t
}

/// The first day of every month from the month of the earliest go-live to `until`'s, and
/// `until` itself: the points of a "saved so far" chart.
pub fn monthly_points(live: &[(NaiveDate, YearTotals)], until: NaiveDate) -> Vec<NaiveDate> {
    use chrono::Datelike;
    let Some(first) = live.iter().map(|(d, _)| *d).min() else { return Vec::new() };
    let mut points = Vec::new();
    let mut at = first.with_day(1).unwrap_or(first);
    while at <= until {
        if at >= first {
            points.push(at);
        }
        at = at.checked_add_months(chrono::Months::new(1)).unwrap_or(until + chrono::Days::new(1));
    }
    if points.last() != Some(&until) && until >= first {
        points.push(until);
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    fn cur(c: &str) -> CurrencyCode {
        CurrencyCode::parse(c).unwrap()
    }
    fn rates() -> Rates {
        Rates {
            base: cur("USD"),
            rates: vec![
                Rate { currency: cur("BDT"), valid_from: day("2024-01-01"), per_base: 110.0 },
                Rate { currency: cur("BDT"), valid_from: day("2025-01-01"), per_base: 120.0 },
                Rate { currency: cur("THB"), valid_from: day("2024-01-01"), per_base: 35.0 },
            ],
        }
    }
    fn step(hours: f64, cost: f64, currency: &str, visit: bool) -> Step {
        Step {
            actor: "citizen".into(),
            action: "goes to the office".into(),
            travel_hours: hours / 2.0,
            waiting_hours: hours / 4.0,
            processing_hours: hours / 4.0,
            fees: cost / 2.0,
            travel_cost: cost / 2.0,
            other_cost: 0.0,
            currency: cur(currency),
            visit,
            documents: vec![],
        }
    }

    /// Land mutation in Tangail (the demo's figures): five visits down to one.
    #[test]
    fn a_worked_example_by_hand() {
        let as_is: Vec<Step> = (0..5).map(|_| step(6.0, 600.0, "BDT", true)).collect();
        let to_be = vec![step(2.0, 100.0, "BDT", false), step(4.0, 500.0, "BDT", true)];
        let c = Comparison::new(&as_is, &to_be, 12_000, cur("BDT"), &rates(), day("2025-06-30")).unwrap();
        assert_eq!((c.before.hours, c.before.cost, c.before.visits), (30.0, 3000.0, 5));
        assert_eq!((c.after.hours, c.after.cost, c.after.visits), (6.0, 600.0, 1));
        assert_eq!(c.hours, Reduction { absolute: 24.0, percent: Some(80.0) });
        assert_eq!(c.visits.percent, Some(80.0));
        assert_eq!(c.yearly_saved, YearTotals { hours: 288_000.0, cost: 28_800_000.0, visits: 48_000.0 });
        // The same in US dollars, at 2025's rate and at 2024's.
        let usd = Comparison::new(&as_is, &to_be, 1, cur("USD"), &rates(), day("2025-06-30")).unwrap();
        assert_eq!(usd.before.cost, 25.0);
        let older = Comparison::new(&as_is, &to_be, 1, cur("USD"), &rates(), day("2024-06-30")).unwrap();
        assert!((older.before.cost - 3000.0 / 110.0).abs() < 1e-9);
        let e = Comparison::new(&as_is, &to_be, 1, cur("USD"), &rates(), day("2023-06-30")).unwrap_err();
        assert_eq!(e.to_string(), "no exchange rate for BDT on or before 2023-06-30");
    }

    #[test]
    fn zero_baselines_and_zero_volumes_divide_nothing() {
        let free = vec![step(0.0, 0.0, "THB", false)];
        let c = Comparison::new(&free, &free, 0, cur("THB"), &rates(), day("2025-01-01")).unwrap();
        assert_eq!(c.cost, Reduction { absolute: 0.0, percent: None });
        assert_eq!(c.yearly_saved, YearTotals { hours: 0.0, cost: 0.0, visits: 0.0 });
        let none = Comparison::new(&[], &[], 10, cur("THB"), &rates(), day("2025-01-01")).unwrap();
        assert_eq!(none.visits.percent, None);
        // Mixed currencies convert through the base.
        let thb =
            Comparison::new(&[step(1.0, 120.0, "BDT", true)], &[], 1, cur("THB"), &rates(), day("2025-01-01")).unwrap();
        assert!((thb.before.cost - 35.0).abs() < 1e-9);
    }

    fn read_service(v: serde_json::Value) -> Result<ServiceInput, crate::Violations> {
        let mut c = Checker::new();
        let mut o = c.object(Path::root(), &v);
        let input = ServiceInput::read(&mut c, &mut o);
        c.done(o);
        c.finish(()).map(|_| input.unwrap())
    }

    fn service_json() -> serde_json::Value {
        serde_json::json!({
            "practice_id": RecordId::new().to_string(), "name": "Land mutation", "agency": "AC Land office",
            "place": "BD-13", "yearly_volume": 12000, "currency": "BDT",
            "maps": [
                {"label": "As is", "as_is": true, "steps": [
                    {"actor": "citizen", "action": "applies at the office", "travel_hours": 3, "waiting_hours": 2,
                     "fees": 100, "travel_cost": 200, "visit": true, "documents": ["deed", "tax receipt"]}]},
                {"label": "Online", "live_from": "2024-01-01", "steps": [
                    {"actor": "citizen", "action": "applies online", "processing_hours": 0.5, "fees": 100, "currency": "USD"}]},
                {"label": "One stop", "live_from": "2030-01-01", "steps": [
                    {"actor": "citizen", "action": "applies at the UDC", "processing_hours": 1}]}
            ]
        })
    }

    #[test]
    fn services_read_with_defaults_and_name_bad_fields() {
        let s = read_service(service_json()).unwrap();
        assert_eq!(s.maps[0].steps[0].currency, cur("BDT"), "steps default to the service's currency");
        assert_eq!(s.maps[1].steps[0].currency, cur("USD"));
        assert_eq!(s.current(day("2025-01-01")).unwrap().label, "Online", "the live one, not the plan");
        assert_eq!(s.current(day("2031-01-01")).unwrap().label, "One stop");
        let c =
            s.compare(s.current(day("2025-01-01")).unwrap(), cur("BDT"), &rates(), day("2025-01-01")).unwrap().unwrap();
        // Converted at the go-live day's rate (110 BDT to the dollar), not today's (120).
        assert_eq!(c.after.cost, 11_000.0);
        assert_eq!(c.visits.absolute, 1.0);

        let mut bad = service_json();
        bad["yearly_volume"] = serde_json::json!(-1);
        bad["maps"][0]["steps"][0]["waiting_hours"] = serde_json::json!(-2);
        bad["maps"][1]["as_is"] = serde_json::json!(true);
        bad["maps"][1]["steps"][0]["actor"] = serde_json::json!("");
        let err = read_service(bad).unwrap_err();
        let fields = err.fields();
        for f in ["yearly_volume", "maps[0].steps[0].waiting_hours", "maps[1].live_from", "maps[1].steps[0].actor"] {
            assert!(fields.contains(&f), "{f} missing from {fields:?}");
        }
        let mut two = service_json();
        two["maps"][2]["as_is"] = serde_json::json!(true);
        two["maps"][2].as_object_mut().unwrap().remove("live_from");
        assert_eq!(read_service(two).unwrap_err().fields(), vec!["maps"]);
    }

    #[test]
    fn savings_accrue_from_going_live() {
        let yearly = YearTotals { hours: 365.0, cost: 730.0, visits: 36.5 };
        let live = [(day("2024-01-01"), yearly), (day("2024-07-01"), yearly)];
        let at = saved_by(&live, day("2024-03-01"));
        // 60 days of the first, none of the second.
        assert_eq!((at.hours, at.cost, at.visits), (60.0, 120.0, 6.0));
        let later = saved_by(&live, day("2024-07-11"));
        // 2024 is a leap year: 192 days of the first (31+29+31+30+31+30+10), 10 of the second.
        assert!((later.hours - (192.0 + 10.0)).abs() < 1e-9);
        let points = monthly_points(&live, day("2024-03-15"));
        assert_eq!(points, vec![day("2024-01-01"), day("2024-02-01"), day("2024-03-01"), day("2024-03-15")]);
        assert!(monthly_points(&[], day("2024-03-15")).is_empty());
    }

    fn any_step() -> impl Strategy<Value = Step> {
        (0.0..100.0f64, 0.0..100.0f64, 0.0..100.0f64, 0.0..1e6f64, 0.0..1e6f64, 0.0..1e6f64, any::<bool>(), 0..3usize)
            .prop_map(|(t, w, p, f, tc, o, visit, c)| Step {
                actor: "citizen".into(),
                action: "acts".into(),
                travel_hours: t,
                waiting_hours: w,
                processing_hours: p,
                fees: f,
                travel_cost: tc,
                other_cost: o,
                currency: cur(["BDT", "THB", "USD"][c]),
                visit,
                documents: vec![],
            })
    }

    proptest! {
        #[test]
        fn totals_are_the_sums_of_the_steps_and_reductions_never_pass_100(
            as_is in proptest::collection::vec(any_step(), 0..12),
            to_be in proptest::collection::vec(any_step(), 0..12),
            volume in 0u64..1_000_000,
        ) {
            let r = rates();
            let on = day("2025-03-01");
            let c = Comparison::new(&as_is, &to_be, volume, cur("USD"), &r, on).unwrap();
            let hours: f64 = as_is.iter().map(Step::hours).sum();
            let cost: f64 = as_is.iter().map(|s| r.convert(s.cost(), s.currency, cur("USD"), on).unwrap()).sum();
            prop_assert!((c.before.hours - hours).abs() <= 1e-9 * hours.max(1.0));
            prop_assert!((c.before.cost - cost).abs() <= 1e-9 * cost.max(1.0));
            prop_assert_eq!(c.before.visits as usize, as_is.iter().filter(|s| s.visit).count());
            for red in [c.hours, c.cost, c.visits] {
                prop_assert!(red.absolute.is_finite());
                if let Some(p) = red.percent {
                    prop_assert!(p.is_finite() && p <= 100.0 + 1e-9, "{p}");
                }
            }
            prop_assert!((c.yearly_saved.cost - (c.before.cost - c.after.cost) * volume as f64).abs()
                <= 1e-6 * c.yearly_before.cost.max(1.0));
            if volume == 0 {
                prop_assert_eq!(c.yearly_saved, YearTotals { hours: 0.0, cost: 0.0, visits: 0.0 });
            }
        }

        #[test]
        fn removing_every_step_saves_exactly_everything(as_is in proptest::collection::vec(any_step(), 1..12)) {
            let c = Comparison::new(&as_is, &[], 1, cur("BDT"), &rates(), day("2025-03-01")).unwrap();
            if c.before.hours > 0.0 {
                prop_assert_eq!(c.hours.percent, Some(100.0));
            }
            prop_assert_eq!(c.visits.absolute, f64::from(c.before.visits));
        }
    }
}
