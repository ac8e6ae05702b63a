//! Federation: every Banyan node publishes its records over OAI-PMH 2.0 and harvests its peers'.
pub mod harvest;
pub mod oai;
