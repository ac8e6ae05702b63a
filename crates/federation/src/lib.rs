//! Federation: every Banyan node publishes its records over OAI-PMH 2.0 and harvests its
//! peers'; Atom feeds announce what is newly published.
pub mod feeds;
pub mod harvest;
pub mod oai;
pub mod xml;
