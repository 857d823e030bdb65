//! The moderator dashboard under `/dashboard`: server-rendered, auto-escaped
//! pages; every action is a plain POST form carrying the session's CSRF
//! token (a little script adds keyboard shortcuts on top).

pub mod admin;
pub mod audit;
pub mod author;
pub mod guard;
pub mod login;
pub mod queue;
pub mod reported;
pub mod view;
