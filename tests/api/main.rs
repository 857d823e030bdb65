//! Black-box tests over HTTP: each test starts the real server on a random
//! port with a fresh database (SQLite always; PostgreSQL when
//! `TEST_DATABASE_URL` is set, e.g. by `.ci/run`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;

mod admin_api;
mod admin_doors;
mod article_claims;
mod articles;
mod backup;
mod captcha;
mod changes;
mod comment;
mod config;
mod corpus;
mod dashboard;
mod durability;
mod edge;
mod email;
mod export;
mod faults;
mod featured;
mod feeds;
mod import;
mod instances;
mod likes;
mod listing;
mod localized_codes;
mod moderation;
mod moderator_views;
mod near_duplicates;
mod network_caps;
mod openapi;
mod operations;
mod pow;
mod privacy;
mod reader;
mod readers_first;
mod replies;
mod reply_mail;
mod reports;
mod rules;
mod search;
mod seeding;
mod smtp;
mod spam_score;
mod submission;
mod traps;
mod validation;
mod webhook_management;
mod webhooks;
