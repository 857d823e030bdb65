//! majlis: a self-hosted, moderated comment backend for news sites.
//!
//! The binary (`src/main.rs`) is a thin shell over this library so that the
//! integration tests can drive exactly the server that ships.

pub mod auth;
pub mod captcha;
pub mod cli;
pub mod config;
pub mod delivery;
pub mod domain;
pub mod email;
pub mod i18n;
pub mod import;
pub mod jobs;
pub mod moderation;
pub mod pow;
pub mod routes;
pub mod seal;
pub mod service;
pub mod startup;
pub mod storage;
pub mod telemetry;
pub mod webhooks;
