//! Closed vocabularies: codes that can only hold valid values.
//!
//! The reference vocabularies (SDGs, COFOG, countries, regions, subdivisions, currencies,
//! languages) are generated into [`generated`] by `tools/vocabgen` from public data; the small
//! ones Banyan defines itself (levels of government, stages, …) are in [`enums`].

mod codes;
mod enums;
pub mod generated;
mod listing;
pub mod tables;

pub use codes::*;
pub use enums::*;
pub use listing::{Vocabulary, VocabularyItem, vocabulary, vocabulary_names};

/// A value that is not in its vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct VocabError {
    pub vocabulary: &'static str,
    pub message: String,
}

impl VocabError {
    pub(crate) fn new(vocabulary: &'static str, message: impl Into<String>) -> Self {
        Self { vocabulary, message: message.into() }
    }
}

/// Looks a code up in a table sorted by that code.
pub(crate) fn find_sorted<T>(table: &'static [T], code: &str, key: impl Fn(&T) -> &str) -> Option<&'static T> {
    table.binary_search_by(|e| key(e).cmp(code)).ok().map(|i| &table[i])
}

#[cfg(test)]
mod tests {
    use super::generated::{cofog::COFOG, countries::*, languages::LANGUAGES, subdivisions::SUBDIVISIONS};

    #[test]
    fn generated_tables_are_sorted_for_binary_search() {
        assert!(COUNTRIES.windows(2).all(|w| w[0].alpha2 < w[1].alpha2));
        assert!(REGIONS.windows(2).all(|w| w[0].code < w[1].code));
        assert!(CURRENCIES.windows(2).all(|w| w[0].code < w[1].code));
        assert!(SUBDIVISIONS.windows(2).all(|w| w[0].code < w[1].code));
        assert!(LANGUAGES.windows(2).all(|w| w[0].code < w[1].code));
        assert!(COFOG.windows(2).all(|w| w[0].code < w[1].code));
    }

    #[test]
    fn every_country_region_and_subdivision_parent_exists() {
        for c in COUNTRIES {
            for r in [c.region, c.sub_region, c.intermediate_region].into_iter().flatten() {
                assert!(super::RegionCode::parse(r).is_ok(), "{} has unknown region {r}", c.alpha2);
            }
        }
        for s in SUBDIVISIONS {
            assert!(super::CountryCode::parse(&s.code[..2]).is_ok(), "{}", s.code);
            if let Some(p) = s.parent {
                assert!(super::SubdivisionCode::parse(p).is_ok(), "{} has unknown parent {p}", s.code);
            }
        }
    }
}
