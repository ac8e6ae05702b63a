//! The shipped model: it loads, scores every goal, and suggests the goals plain texts are about.

use banyan_classify::{Classifier, GOALS, Model, goal_texts};

fn suggested(text: &str) -> Vec<u8> {
    Classifier::shipped().suggest(text)
}

#[test]
fn every_goal_is_scored_once_most_likely_first() {
    let scores = Classifier::shipped().classify("Piped water and latrines for every household in the district.");
    assert_eq!(scores.len(), GOALS);
    let mut goals: Vec<u8> = scores.iter().map(|s| s.goal).collect();
    goals.sort_unstable();
    assert_eq!(goals, (1..=17).collect::<Vec<u8>>());
    assert!(scores.windows(2).all(|w| w[0].score >= w[1].score));
    assert!(scores.iter().all(|s| (0.0..=1.0).contains(&s.score)));
    assert!(scores.iter().all(|s| s.suggested == (s.score >= 0.5)));
}

#[test]
fn plain_texts_get_the_goals_they_are_about() {
    assert_eq!(
        suggested(
            "Villages get safe drinking water from new wells, and every school has clean toilets and handwashing."
        )[0],
        6
    );
    assert!(suggested("Girls stay in secondary school longer when bursaries cover fees and uniforms.").contains(&4));
    assert!(suggested("Solar mini-grids bring affordable electricity to remote islands.").contains(&7));
    assert!(
        suggested(
            "Mangroves are replanted and fishing is banned in spawning grounds to restore coral reef fish stocks."
        )
        .contains(&14)
    );
    assert!(
        suggested("Maternal deaths fell after midwives were trained and clinics stocked with essential medicines.")
            .contains(&3)
    );
    assert!(
        suggested("Courts publish every judgement online and citizens can report bribes anonymously.").contains(&16)
    );
}

#[test]
fn text_about_nothing_in_particular_suggests_little() {
    assert!(suggested("The meeting is on Tuesday at ten in the second floor room.").len() <= 1);
    assert!(Classifier::shipped().classify("").iter().all(|s| s.score < 1.0));
}

#[test]
fn the_file_round_trips() {
    let model = Classifier::shipped().model();
    let again = Model::from_bytes(&model.to_bytes(), &goal_texts()).unwrap();
    let text = "Farmers receive weather forecasts and market prices by SMS to plan planting and cut crop losses.";
    assert_eq!(again.probabilities(text), model.probabilities(text));
    assert!(model.metadata.contains("cross_validated_macro_f1"), "{}", model.metadata);
    assert!(Model::from_bytes(b"not a model", &goal_texts()).is_err());
    let bytes = model.to_bytes();
    assert!(Model::from_bytes(&bytes[..bytes.len() - 3], &goal_texts()).is_err(), "a cut file is refused");
}
