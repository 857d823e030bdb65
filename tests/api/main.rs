//! Black-box tests over HTTP: each test starts the real server on a random
//! port with a fresh database (SQLite always; PostgreSQL when
//! `TEST_DATABASE_URL` is set, e.g. by `.ci/run`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;

mod articles;
mod captcha;
mod comment;
mod config;
mod durability;
mod export;
mod instances;
mod listing;
mod moderation;
mod openapi;
mod operations;
mod rules;
mod submission;
mod validation;
