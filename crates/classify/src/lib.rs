//! Which Sustainable Development Goals a text addresses.
//!
//! [`Classifier::shipped`] is the model in `model/sdg.bin`, made by the checked-in training
//! command (`cargo run -p sdgtrain --release -- --data ../shared/data`) from the SDG
//! Classification Benchmark's expert-labelled texts and the official goal and target texts. Its
//! cross-validated scores are in `docs/sdg-classifier.md`. Every goal gets a calibrated
//! probability; those at or above the model's threshold are suggested.

pub mod features;
pub mod model;

use std::sync::LazyLock;

use serde::Serialize;

use banyan_domain::Sdg;

pub use model::{GOALS, Model};

/// A goal's score for a text.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GoalScore {
    /// 1 to 17.
    pub goal: u8,
    /// The probability that the text addresses the goal, 0 to 1.
    pub score: f32,
    /// Whether the score passes the threshold for suggesting the goal.
    pub suggested: bool,
}

/// The official text of each goal, as the model compares texts with it: its short name, title
/// and the titles of its targets.
pub fn goal_texts() -> Vec<String> {
    Sdg::all_goals()
        .map(|g| {
            let mut t = format!("{}. {}.", g.short(), g.title());
            for target in g.targets() {
                t.push(' ');
                t.push_str(target.title());
            }
            t
        })
        .collect()
}

/// A trained model, ready to classify.
pub struct Classifier {
    model: Model,
}

static SHIPPED: LazyLock<Classifier> = LazyLock::new(|| {
    let model = Model::from_bytes(include_bytes!("../model/sdg.bin"), &goal_texts())
        .expect("the shipped SDG model is readable (it is checked by the crate's tests)");
    Classifier { model }
});

impl Classifier {
    /// The model shipped in the binary.
    pub fn shipped() -> &'static Classifier {
        &SHIPPED
    }

    pub fn new(model: Model) -> Classifier {
        Classifier { model }
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Every goal, most likely first.
    pub fn classify(&self, text: &str) -> Vec<GoalScore> {
        let p = self.model.probabilities(text);
        let mut out: Vec<GoalScore> = (0..GOALS)
            .map(|g| GoalScore {
                goal: g as u8 + 1,
                score: (p[g] * 1000.0).round() / 1000.0,
                suggested: p[g] >= self.model.threshold,
            })
            .collect();
        out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.goal.cmp(&b.goal)));
        out
    }

    /// The goals to suggest, most likely first.
    pub fn suggest(&self, text: &str) -> Vec<u8> {
        self.classify(text).into_iter().filter(|s| s.suggested).map(|s| s.goal).collect()
    }
}
