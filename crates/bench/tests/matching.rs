//! Matching quality cannot silently drop: the first ten judged challenges are run against the
//! real registries and the demo content, and precision@5 and nDCG@10 must stay above floors set
//! a little under what `banyan bench matching` measured (docs/matching.md).

use banyan_bench::matching::{Corpus, evaluate, judged_set};
use banyan_search::matching::Weights;

/// Measured on the first ten challenges when the floors were set: P@5 0.46, nDCG@10 0.675.
const P5_FLOOR: f64 = 0.38;
const NDCG_FLOOR: f64 = 0.60;

#[test]
fn the_judged_set_is_well_formed() {
    let set = judged_set().unwrap();
    assert!(set.challenges.len() >= 30, "at least 30 judged challenges");
    for c in &set.challenges {
        c.record().unwrap();
        assert!(!c.relevant.is_empty(), "{} has judgments", c.title);
        assert!(c.relevant.iter().all(|(_, g)| (1..=2).contains(g)), "{}: grades are 1 or 2", c.title);
        assert!(c.relevant.iter().any(|(_, g)| *g == 2), "{}: something a careful officer would shortlist", c.title);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn matching_keeps_its_measured_quality_on_a_subset() {
    let Some(data) = banyan_testkit::shared_data() else {
        banyan_testkit::skip::<()>("the shared reference data (../shared/data) is not here");
        return;
    };
    let corpus = Corpus::load(&data).await.unwrap();
    let set = judged_set().unwrap();
    let subset = &set.challenges[..10];
    let scores = evaluate(&corpus, subset, &Weights::default()).await.unwrap();
    eprintln!("matching on 10 judged challenges: P@5 {:.3}, nDCG@10 {:.3}", scores.p5, scores.ndcg10);
    assert!(scores.p5 >= P5_FLOOR, "precision@5 fell to {:.3} (floor {P5_FLOOR})", scores.p5);
    assert!(scores.ndcg10 >= NDCG_FLOOR, "nDCG@10 fell to {:.3} (floor {NDCG_FLOOR})", scores.ndcg10);
    // Without text relevance, matching is clearly worse: the measure can tell a broken scorer.
    let blind = evaluate(&corpus, subset, &Weights::default().without("text")).await.unwrap();
    assert!(blind.ndcg10 < scores.ndcg10 - 0.1, "text matters: {:.3} vs {:.3}", blind.ndcg10, scores.ndcg10);
}
