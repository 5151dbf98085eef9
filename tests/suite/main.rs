//! Integration tests: build fixture handbooks into temp dirs with the real binary and assert on
//! the HTML, exit codes and messages. One binary, one module per area.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr,
    reason = "test code; the browser skip line must be visible"
)]

mod architecture;
mod attacks;
mod bad_input;
mod browser;
mod build;
mod check;
mod cli;
mod decisions;
mod example;
mod feeds;
mod fuzz;
mod git;
mod harness;
mod owners;
mod people;
mod portable;
mod repos;
mod safety;
mod search;
mod serve;
mod updates;
