//! The API key of a request as an extractor: `Key<Admin>` or
//! `Key<Moderator>` in a handler's arguments checks the `Authorization`
//! header against the `{site}` of the path (see `require_key`).

use std::marker::PhantomData;

use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;

use super::site::require_key;
use crate::auth::{ApiKey, Role};
use crate::routes::AppState;
use crate::routes::error::ApiError;
use crate::routes::extract::request_lang;

/// The smallest role a `Key` must have.
pub trait MinRole {
    const ROLE: Role;
}

/// A moderator or admin key.
pub struct Moderator;
/// An admin key.
pub struct Admin;

impl MinRole for Moderator {
    const ROLE: Role = Role::Moderator;
}

impl MinRole for Admin {
    const ROLE: Role = Role::Admin;
}

/// A valid key of the path's site with at least role `R`.
pub struct Key<R> {
    key: ApiKey,
    role: PhantomData<R>,
}

impl<R> std::ops::Deref for Key<R> {
    type Target = ApiKey;

    fn deref(&self) -> &ApiKey {
        &self.key
    }
}

impl<R: MinRole + 'static> FromRequest for Key<R> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Key<R>, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let lang = request_lang(&req, None);
            let state = req
                .app_data::<web::Data<AppState>>()
                .ok_or_else(|| ApiError::internal(anyhow::anyhow!("no AppState"), lang))?;
            let site = req.match_info().get("site").unwrap_or_default();
            let key = require_key(state, &req, site, R::ROLE).await?;
            Ok(Key {
                key,
                role: PhantomData,
            })
        })
    }
}
