//! Black-box tests over HTTP: each test starts the real server on a random
//! port with a fresh database (SQLite always; PostgreSQL when
//! `TEST_DATABASE_URL` is set, e.g. by `.ci/run`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;

mod admin_doors;
mod article_claims;
mod articles;
mod captcha;
mod comment;
mod config;
mod corpus;
mod dashboard;
mod durability;
mod edge;
mod email;
mod export;
mod faults;
mod instances;
mod listing;
mod localized_codes;
mod moderation;
mod openapi;
mod operations;
mod privacy;
mod reader;
mod readers_first;
mod rules;
mod smtp;
mod submission;
mod traps;
mod validation;
mod webhooks;
