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

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::vocab::CurrencyCode;

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
pub struct Rates {
    pub base: CurrencyCode,
    pub rates: Vec<Rate>,
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
