//! The network's impact in numbers: what the dashboard, the country profiles and their charts
//! show, computed from the public practices, their adoptions and their simplified services.
//!
//! Everything is counted once and only for public practices. Money is added up in the rate
//! table's base currency, each service's costs converted at the rates of the day its "to be"
//! went live. A service whose costs cannot be converted (no rate) is left out of the money
//! totals and listed with the reason, never counted as zero.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::adoption::Adoption;
use crate::ids::{RecordId, ServiceId};
use crate::record::Record;
use crate::sps::{Comparison, Rates, Service, YearTotals, monthly_points, saved_by};
use crate::vocab::{Cofog, CountryCode, Sdg};

/// What the numbers are narrowed to. Each part is optional; all given must hold.
#[derive(Debug, Clone, Copy, Default)]
pub struct Filter {
    /// Adoptions and services in this country.
    pub country: Option<CountryCode>,
    /// Practices in this COFOG division or group (or below it).
    pub sector: Option<Cofog>,
    /// Practices contributing to this goal (or one of its targets).
    pub sdg: Option<Sdg>,
}

impl Filter {
    fn practice(&self, r: &Record) -> bool {
        let sector = self.sector.is_none_or(|s| {
            r.content.sectors.iter().any(|c| c.code() == s.code() || c.code().starts_with(&format!("{}.", s.code())))
        });
        let sdg = self.sdg.is_none_or(|g| r.content.sdgs.iter().any(|x| x.goal_number() == g.goal_number()));
        sector && sdg
    }
    fn country(&self, c: CountryCode) -> bool {
        self.country.is_none_or(|f| f == c)
    }
}

/// One simplified service on the board.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceLine {
    pub id: ServiceId,
    pub name: String,
    pub place: String,
    pub practice_id: RecordId,
    pub practice_title: String,
    /// The "to be" compared, and the day it went live (none: not live yet).
    pub map: String,
    pub live_from: Option<NaiveDate>,
    /// Before and after, per application and per year, in the board's currency.
    pub comparison: Comparison,
}

/// A service left out of the money totals, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Skipped {
    pub id: ServiceId,
    pub name: String,
    pub reason: String,
}

/// What citizens had saved by a day.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SavedPoint {
    pub date: NaiveDate,
    pub hours: f64,
    pub cost: f64,
    pub visits: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BoardTotals {
    /// Practices with at least one adoption piloting or in use.
    pub practices_adopted: usize,
    /// Adoptions piloting or in use.
    pub adoptions: usize,
    /// Distinct places and countries of those adoptions.
    pub places: usize,
    pub countries: usize,
    /// Services with an "as is" and a "to be".
    pub services: usize,
    /// What a year of applications saves, over services whose "to be" is live.
    pub yearly_saved: YearTotals,
    /// Saved since each "to be" went live, until the board's day.
    pub saved_to_date: YearTotals,
}

/// The numbers behind the dashboard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Board {
    /// The currency of every amount: the rate table's base.
    pub currency: crate::vocab::CurrencyCode,
    /// The day the board was computed for.
    pub on: NaiveDate,
    pub totals: BoardTotals,
    pub services: Vec<ServiceLine>,
    pub skipped: Vec<Skipped>,
    /// Saved so far, month by month.
    pub saved: Vec<SavedPoint>,
    /// Adoptions (not merely planned) by the year adopted.
    pub adoptions_by_year: Vec<(i32, u64)>,
    /// Adoptions piloting or in use, by country code.
    pub adoptions_by_country: BTreeMap<String, u64>,
}

impl Board {
    /// The board for `on`, over `practices` (the public ones; others' adoptions and services
    /// are ignored), narrowed by `filter`.
    pub fn compute(
        practices: &HashMap<RecordId, Record>,
        adoptions: &[Adoption],
        services: &[Service],
        rates: &Rates,
        filter: &Filter,
        on: NaiveDate,
    ) -> Board {
        let in_scope = |p: RecordId| practices.get(&p).filter(|r| r.is_public() && filter.practice(r));

        let adoptions: Vec<&Adoption> = adoptions
            .iter()
            .filter(|a| in_scope(a.practice_id).is_some() && filter.country(a.input.place.country()))
            .filter(|a| a.input.adopted_on <= on)
            .collect();
        let active: Vec<&&Adoption> = adoptions.iter().filter(|a| a.is_active()).collect();
        let places: BTreeSet<&str> = active.iter().map(|a| a.input.place.code()).collect();
        let countries: BTreeSet<CountryCode> = active.iter().map(|a| a.input.place.country()).collect();
        let practices_adopted: BTreeSet<RecordId> = active.iter().map(|a| a.practice_id).collect();
        let mut by_year: BTreeMap<i32, u64> = BTreeMap::new();
        for a in adoptions.iter().filter(|a| a.input.status != crate::vocab::AdoptionStatus::Planned) {
            *by_year.entry(a.input.adopted_on.year()).or_default() += 1;
        }
        let mut by_country: BTreeMap<String, u64> = BTreeMap::new();
        for a in &active {
            *by_country.entry(a.input.place.country().code().to_string()).or_default() += 1;
        }

        let mut lines = Vec::new();
        let mut skipped = Vec::new();
        for s in services {
            let Some(practice) = in_scope(s.input.practice_id) else { continue };
            if !filter.country(s.input.place.country()) {
                continue;
            }
            let Some(map) = s.input.current(on) else { continue };
            match s.input.compare(map, rates.base, rates, on) {
                Some(Ok(comparison)) => lines.push(ServiceLine {
                    id: s.id,
                    name: s.input.name.clone(),
                    place: s.input.place.code().to_string(),
                    practice_id: practice.id,
                    practice_title: practice.content.title.clone(),
                    map: map.label.clone(),
                    live_from: map.live_from.filter(|d| *d <= on),
                    comparison,
                }),
                Some(Err(e)) => skipped.push(Skipped { id: s.id, name: s.input.name.clone(), reason: e.to_string() }),
                None => {}
            }
        }
        let live: Vec<(NaiveDate, YearTotals)> =
            lines.iter().filter_map(|l| l.live_from.map(|d| (d, l.comparison.yearly_saved))).collect();
        let yearly_saved = live.iter().fold(zero(), |t, (_, y)| add(t, *y));
        let saved = monthly_points(&live, on)
            .into_iter()
            .map(|d| {
                let t = saved_by(&live, d);
                SavedPoint { date: d, hours: t.hours, cost: t.cost, visits: t.visits }
            })
            .collect();
        Board {
            currency: rates.base,
            on,
            totals: BoardTotals {
                practices_adopted: practices_adopted.len(),
                adoptions: active.len(),
                places: places.len(),
                countries: countries.len(),
                services: lines.len() + skipped.len(),
                yearly_saved,
                saved_to_date: saved_by(&live, on),
            },
            services: lines,
            skipped,
            saved,
            adoptions_by_year: by_year.into_iter().collect(),
            adoptions_by_country: by_country,
        }
    }
}

fn zero() -> YearTotals {
    YearTotals { hours: 0.0, cost: 0.0, visits: 0.0 }
}

fn add(a: YearTotals, b: YearTotals) -> YearTotals {
    YearTotals { hours: a.hours + b.hours, cost: a.cost + b.cost, visits: a.visits + b.visits }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adoption::AdoptionInput;
    use crate::ids::{AdoptionId, OrganisationId, UserId};
    use crate::record::{InputMode, Origin, RecordInput};
    use crate::sps::{Rate, ServiceInput};
    use crate::validate::{Checker, Path};
    use crate::values::Slug;
    use chrono::Utc;
    use serde_json::{Value, json};

    fn day(s: &str) -> NaiveDate {
        crate::values::parse_date(s).unwrap()
    }

    fn practice(title: &str, status: &str, sector: &str, sdg: &str) -> Record {
        let input = RecordInput::from_json(
            &json!({"kind": "practice", "title": title, "lang": "en", "status": status, "sectors": [sector],
                    "sdgs": [sdg], "places": ["BD"], "details": {"problem": "p"}}),
            InputMode::Create,
        )
        .unwrap();
        Record {
            id: RecordId::new(),
            slug: Slug::from_title(title, "practice"),
            uri: format!("https://banyan.test/{title}"),
            origin: Origin::Local,
            version: 1,
            content: input.content,
            owner: Some(UserId::new()),
            derived_from: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            published_at: None,
        }
    }

    fn read<T>(v: Value, f: impl FnOnce(&mut Checker, &mut crate::validate::Obj<'_>) -> Option<T>) -> T {
        let mut c = Checker::new();
        let mut o = c.object(Path::root(), &v);
        let out = f(&mut c, &mut o);
        c.done(o);
        c.finish(()).unwrap();
        out.unwrap()
    }

    fn adoption(practice: &Record, place: &str, on: &str, status: &str) -> Adoption {
        let input = read(
            json!({"organisation_id": OrganisationId::new().to_string(), "place": place, "adopted_on": on, "status": status}),
            AdoptionInput::read,
        );
        Adoption {
            id: AdoptionId::new(),
            practice_id: practice.id,
            input,
            version: 1,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    fn service(practice: &Record, place: &str, currency: &str, volume: u64) -> Service {
        let visit = json!({"actor": "citizen", "action": "goes to the office", "travel_hours": 3, "waiting_hours": 2,
                           "fees": 100, "travel_cost": 200, "visit": true});
        let input = read(
            json!({"practice_id": practice.id.to_string(), "name": format!("Service in {place}"), "agency": "Office",
                   "place": place, "yearly_volume": volume, "currency": currency, "maps": [
                       {"label": "As is", "as_is": true, "steps": [visit, visit]},
                       {"label": "Online", "live_from": "2024-01-01", "steps": [
                           {"actor": "citizen", "action": "applies online", "processing_hours": 1, "fees": 100}]}]}),
            ServiceInput::read,
        );
        Service { id: ServiceId::new(), input, version: 1, created_at: Utc::now(), updated_at: Utc::now() }
    }

    /// A small network, worked by hand: USD is the base, 100 BDT to the dollar, no rate for THB.
    #[test]
    fn the_board_adds_up_a_hand_computed_network() {
        let land = practice("Land", "published", "01.3", "16");
        let clinics = practice("Clinics", "published", "07.3", "3");
        let draft = practice("Draft", "draft", "01.3", "16");
        let practices: HashMap<RecordId, Record> =
            [&land, &clinics, &draft].iter().map(|r| (r.id, (*r).clone())).collect();
        let adoptions = vec![
            adoption(&land, "TH-40", "2024-01-01", "in_use"),
            adoption(&land, "LA", "2024-06-01", "piloting"),
            adoption(&land, "PH", "2024-03-01", "planned"),
            adoption(&land, "KH", "2025-01-01", "in_use"),
            adoption(&clinics, "BD-13", "2023-05-01", "stopped"),
            adoption(&draft, "VN", "2024-01-01", "in_use"),
        ];
        // Land in BD-13: before 2 visits, 10 hours, 600 BDT (6 USD); after 0 visits, 1 hour,
        // 100 BDT (1 USD). Per application 9 hours, 5 USD, 2 visits saved; × 1,000 a year.
        let services = vec![
            service(&land, "BD-13", "BDT", 1000),
            service(&clinics, "TH", "THB", 365),
            service(&draft, "BD", "BDT", 1_000_000),
        ];
        let rates = Rates {
            base: crate::vocab::CurrencyCode::parse("USD").unwrap(),
            rates: vec![Rate {
                currency: crate::vocab::CurrencyCode::parse("BDT").unwrap(),
                valid_from: day("2020-01-01"),
                per_base: 100.0,
            }],
        };
        let on = day("2024-07-01");
        let b = Board::compute(&practices, &adoptions, &services, &rates, &Filter::default(), on);

        // TH-40 and LA are active (PH only planned, KH after the day, the clinics' stopped, the
        // draft's not public): one practice, two places in two countries.
        assert_eq!((b.totals.practices_adopted, b.totals.adoptions, b.totals.places, b.totals.countries), (1, 2, 2, 2));
        assert_eq!(b.adoptions_by_year, vec![(2023, 1), (2024, 2)]);
        assert_eq!(b.adoptions_by_country.get("TH"), Some(&1));
        assert_eq!(b.totals.services, 2);
        assert_eq!(b.skipped.len(), 1);
        // Converted at the rates of the day the "to be" went live.
        assert_eq!(b.skipped[0].reason, "no exchange rate for THB on or before 2024-01-01");
        let line = &b.services[0];
        assert_eq!(
            (line.comparison.before.hours, line.comparison.before.cost, line.comparison.before.visits),
            (10.0, 6.0, 2)
        );
        assert_eq!(
            (line.comparison.after.hours, line.comparison.after.cost, line.comparison.after.visits),
            (1.0, 1.0, 0)
        );
        assert_eq!(b.totals.yearly_saved, YearTotals { hours: 9000.0, cost: 5000.0, visits: 2000.0 });
        // 182 days from 1 January to 1 July 2024 (a leap year).
        let share = 182.0 / 365.0;
        let close = |a: f64, b: f64| (a - b).abs() < 1e-6;
        assert!(close(b.totals.saved_to_date.hours, 9000.0 * share));
        assert!(close(b.totals.saved_to_date.cost, 5000.0 * share));
        assert_eq!(b.saved.len(), 7, "1 January to 1 July, monthly");
        assert!(close(b.saved[1].visits, 2000.0 * 31.0 / 365.0));
        assert_eq!(b.saved.last().unwrap().date, on);

        // Narrowed: Thailand has one adoption and only the unconvertible service.
        let th = Filter { country: crate::vocab::CountryCode::parse("TH").ok(), ..Filter::default() };
        let b = Board::compute(&practices, &adoptions, &services, &rates, &th, on);
        assert_eq!((b.totals.adoptions, b.totals.services, b.services.len()), (1, 1, 0));
        assert_eq!(b.totals.yearly_saved, YearTotals { hours: 0.0, cost: 0.0, visits: 0.0 });
        // Health (COFOG 07) holds only the clinics: nothing active, one stopped in 2023.
        let health = Filter { sector: Cofog::parse("07").ok(), ..Filter::default() };
        let b = Board::compute(&practices, &adoptions, &services, &rates, &health, on);
        assert_eq!((b.totals.adoptions, b.adoptions_by_year.clone()), (0, vec![(2023, 1)]));
        // SDG 16 holds only the land practice.
        let sdg16 = Filter { sdg: Sdg::parse("16").ok(), ..Filter::default() };
        let b = Board::compute(&practices, &adoptions, &services, &rates, &sdg16, on);
        assert_eq!((b.totals.adoptions, b.services.len()), (2, 1));
    }
}
