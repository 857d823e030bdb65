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

/// The app's state and the request's language.
fn state_of(req: &HttpRequest) -> Result<(&web::Data<AppState>, crate::domain::Lang), ApiError> {
    let lang = request_lang(req, None);
    req.app_data::<web::Data<AppState>>()
        .map(|s| (s, lang))
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("no AppState"), lang))
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
            let (state, _) = state_of(&req)?;
            let site = req.match_info().get("site").unwrap_or_default();
            let key = require_key(state, &req, site, R::ROLE).await?;
            Ok(Key {
                key,
                role: PhantomData,
            })
        })
    }
}

/// A live instance-level key of the admin API (`majlis rootkey create`), from
/// `Authorization: Bearer`. Site keys are not root keys: 401 for them, as for
/// a missing or unknown key. Root keys share the per-key request budget.
pub struct RootKey {
    pub id: String,
}

impl RootKey {
    /// The audit log's actor for what this key does.
    pub fn actor(&self) -> crate::domain::Actor {
        crate::domain::Actor::RootKey(self.id.clone())
    }
}

impl FromRequest for RootKey {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<RootKey, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        use crate::routes::error::{ErrorCode, OrApi};
        let req = req.clone();
        Box::pin(async move {
            let (state, lang) = state_of(&req)?;
            let unauthorized = || ApiError::new(ErrorCode::Unauthorized, lang);
            let token = super::site::bearer_token(&req).ok_or_else(unauthorized)?;
            let record = state
                .store
                .root_key_by_hash(&crate::auth::hash_api_key(token))
                .await
                .or_api(lang)?
                .ok_or_else(unauthorized)?;
            super::site::within_budget(state, &record.id, lang).await?;
            Ok(RootKey { id: record.id })
        })
    }
}
