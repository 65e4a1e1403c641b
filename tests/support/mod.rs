//! Shared helpers for the integration tests.
#![allow(dead_code)]

pub mod certs;
pub mod client_kit;
pub mod node;
pub mod raw_receiver;
pub mod receiver;
pub mod served;
pub mod spec;
