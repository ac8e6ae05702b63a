//! The storage test suite. Every test runs twice: `sqlite::…` and `postgres::…`.

mod changes;
mod conversations;
mod dump;
mod fixtures;
mod impact;
mod listing;
mod organisations;
mod people;
mod pilots;
mod records;
mod schema;
mod statistics;
mod tokens;

use banyan_domain::RecordInput;
use banyan_store::{Actor, NewRecord};

pub const BASE: &str = "https://banyan.test";

pub fn new_record(input: RecordInput) -> NewRecord {
    NewRecord::local(input, BASE)
}

pub fn curator() -> Actor {
    Actor::token(banyan_domain::TokenId::new(), "test curator", banyan_domain::Role::Curator)
}
