//! The import rules of the source tree (see README, Layout), checked on the
//! files themselves so they stay true:
//! - no file under `src/routes` imports `crate::startup`;
//! - no file under `src/storage`, `src/email`, `src/webhooks` imports
//!   `crate::config` (settings reach them as plain values);
//! - no storage file imports another storage noun: a file names only
//!   `storage` itself (`mod.rs`), its own noun, `error`, and the two shared
//!   modules `events` and `rows`.

use std::fs;
use std::path::{Path, PathBuf};

use regex::Regex;

/// Storage modules every storage file may name.
const SHARED: [&str; 3] = ["error", "events", "rows"];

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn read(p: &Path) -> String {
    match fs::read_to_string(p) {
        Ok(s) => s,
        Err(e) => panic!("{}: {e}", p.display()),
    }
}

/// The code of a file without its line comments (docs may name anything).
fn code(p: &Path) -> String {
    read(p)
        .lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn no_route_imports_startup() {
    let bad: Vec<String> = rust_files(&src().join("routes"))
        .into_iter()
        .filter(|p| code(p).contains("crate::startup"))
        .map(|p| p.display().to_string())
        .collect();
    assert!(bad.is_empty(), "routes importing crate::startup: {bad:?}");
}

#[test]
fn storage_mail_and_webhooks_take_settings_as_plain_values() {
    let bad: Vec<String> = ["storage", "email", "webhooks"]
        .into_iter()
        .flat_map(|d| rust_files(&src().join(d)))
        .filter(|p| code(p).contains("crate::config"))
        .map(|p| p.display().to_string())
        .collect();
    assert!(bad.is_empty(), "importing crate::config: {bad:?}");
}

/// The storage modules a file names: `super::x::`, `crate::storage::x::`,
/// and `x::` at the top level of a `super::{…}` / `crate::storage::{…}` group.
/// `in_noun` is the noun a nested file belongs to (`comments` for
/// `storage/comments/batch.rs`), whose `super` is that noun itself.
fn storage_modules_named(text: &str, in_noun: Option<&str>) -> Vec<String> {
    // One space between words, none around the path punctuation.
    let spaced = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let tight = Regex::new(r" ?([:{},]) ?").unwrap_or_else(|e| panic!("{e}"));
    let flat = tight.replace_all(&spaced, "$1").into_owned();
    let mut out = Vec::new();
    // Inside a noun, `super::x::` names the noun's own parts; the storage
    // root is `super::super`.
    let super_storage = if in_noun.is_some() {
        "super::super"
    } else {
        "super"
    };
    let roots = ["crate::storage", super_storage];
    for root in roots {
        let esc = regex::escape(root);
        let path =
            Regex::new(&format!(r"(?:^|[^:\w]){esc}::(\w+)::")).unwrap_or_else(|e| panic!("{e}"));
        for c in path.captures_iter(&flat) {
            out.push(c[1].to_string());
        }
        let group =
            Regex::new(&format!(r"(?:^|[^:\w]){esc}::\{{")).unwrap_or_else(|e| panic!("{e}"));
        for m in group.find_iter(&flat) {
            // Walk the group, taking `name::` at depth 1.
            let rest = &flat[m.end()..];
            let mut depth = 1;
            let mut token_start = 0;
            let bytes = rest.as_bytes();
            let mut i = 0;
            while i < bytes.len() && depth > 0 {
                match bytes[i] {
                    b'{' => depth += 1,
                    b'}' => depth -= 1,
                    b',' if depth == 1 => token_start = i + 1,
                    b':' if depth == 1 && i > token_start => {
                        let name = &rest[token_start..i];
                        if name.chars().all(|c| c.is_alphanumeric() || c == '_') {
                            out.push(name.to_string());
                        }
                        token_start = usize::MAX / 2;
                    }
                    _ => {}
                }
                i += 1;
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

#[test]
fn no_storage_noun_imports_another() {
    let root = src().join("storage");
    let mut bad = Vec::new();
    for p in rust_files(&root) {
        let rel = p.strip_prefix(&root).unwrap_or(&p).to_path_buf();
        let parts: Vec<String> = rel
            .iter()
            .map(|c| c.to_string_lossy().trim_end_matches(".rs").to_string())
            .collect();
        let (own, in_noun) = match parts.as_slice() {
            [file] => (file.clone(), None),
            [noun, file] if file == "mod" => (noun.clone(), None),
            [noun, _] => (noun.clone(), Some(noun.as_str())),
            _ => panic!("storage nests one level at most: {}", rel.display()),
        };
        if own == "mod" {
            continue;
        }
        let text = code(&p);
        for named in storage_modules_named(&text, in_noun) {
            if named != own && !SHARED.contains(&named.as_str()) {
                bad.push(format!("{} names storage::{named}", rel.display()));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "storage files importing another noun: {bad:#?}"
    );
}

#[test]
fn the_storage_rule_sees_the_imports_it_forbids() {
    let named = |t: &str, n| storage_modules_named(t, n);
    assert_eq!(named("use super::comments::Cursor;", None), ["comments"]);
    assert_eq!(
        named("use super::{Store, webhooks::{fan_out, X}, rows::Y};", None),
        ["rows", "webhooks"]
    );
    assert_eq!(named("super::audit::insert(&mut tx)", None), ["audit"]);
    assert_eq!(named("use crate::storage::sites::write;", None), ["sites"]);
    assert_eq!(
        named("use super::{StorageError, Store};", None),
        Vec::<String>::new()
    );
    // Inside a noun, `super` is the noun itself.
    assert_eq!(
        named("use super::batch::X;", Some("comments")),
        Vec::<String>::new()
    );
    assert_eq!(
        named("use super::super::sites::X;", Some("comments")),
        ["sites"]
    );
}
