//! This crate holds only the storage test suite (`tests/store`).
