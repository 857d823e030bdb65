use std::collections::BTreeMap;

use serde::Serialize;

use super::text::{count_chars, has_forbidden_control};

/// One problem with one field: a stable code plus the parameters the
/// localized message needs (e.g. `min`, `max`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub code: &'static str,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<&'static str, String>,
}

impl FieldError {
    pub fn new(code: &'static str) -> FieldError {
        FieldError {
            code,
            params: BTreeMap::new(),
        }
    }

    pub fn with(mut self, key: &'static str, value: impl ToString) -> FieldError {
        self.params.insert(key, value.to_string());
        self
    }
}

/// Every field error of one submission, keyed by field name.
#[derive(Debug, Clone, Default, PartialEq, Eq, thiserror::Error)]
#[error("validation failed on {} field(s)", .0.len())]
pub struct ValidationErrors(pub BTreeMap<String, Vec<FieldError>>);

impl ValidationErrors {
    pub fn add(&mut self, field: &str, error: FieldError) {
        self.0.entry(field.to_string()).or_default().push(error);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    /// `parsed`'s value, or `None` with its error added under `field`.
    pub fn field<T>(&mut self, field: &str, parsed: Result<T, FieldError>) -> Option<T> {
        match parsed {
            Ok(v) => Some(v),
            Err(e) => {
                self.add(field, e);
                None
            }
        }
    }

    /// Ok(()) when nothing was added.
    pub fn into_result(self) -> Result<(), ValidationErrors> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }
}

/// A free text someone adds to an action (a note, a reason): at most `max`
/// characters; newlines and tabs allowed, other control characters not.
pub fn check_note(text: &str, max: usize) -> Result<(), FieldError> {
    if count_chars(text) > max {
        Err(FieldError::new("too_long").with("max", max))
    } else if has_forbidden_control(text, true) {
        Err(FieldError::new("control_characters"))
    } else {
        Ok(())
    }
}
