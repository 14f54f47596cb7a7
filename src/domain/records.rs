//! CRM records of the six record modules: what each module's fields are, how a value typed into
//! a form is checked, and what the records pages exchange with the server. The same checks run
//! in the browser (field messages as you type) and on the server (the refusal that counts).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::users::{default_per_page, first_page};
use super::{FieldError, NamedRef, Page};
use crate::access::{FieldRule, Module};
pub use crate::access::{record_fields, FieldKind, FieldSpec};

/// The URL segment of a record module (`/records/opportunities`).
pub fn module_slug(module: Module) -> &'static str {
    match module {
        Module::Leads => "leads",
        Module::Customers => "customers",
        Module::Opportunities => "opportunities",
        Module::Tasks => "tasks",
        Module::Projects => "projects",
        Module::SupportActivities => "support",
        _ => "",
    }
}

pub fn module_from_slug(slug: &str) -> Option<Module> {
    Module::RECORDS.into_iter().find(|m| module_slug(*m) == slug)
}

/// Checks one typed value and returns it in stored form ("" stays "": the field is cleared).
pub fn check_value(spec: &FieldSpec, raw: &str) -> Result<String, String> {
    let v = raw.trim();
    if v.is_empty() {
        return if spec.title { Err(format!("{} is required", spec.label)) } else { Ok(String::new()) };
    }
    match spec.kind {
        FieldKind::Text => {
            if v.chars().count() > 200 {
                Err(format!("{} must be at most 200 characters", spec.label))
            } else {
                Ok(v.to_string())
            }
        }
        FieldKind::Phone => {
            let digits = v.chars().filter(|c| c.is_ascii_digit()).count();
            if !v.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c)) || !(6..=15).contains(&digits) {
                Err("enter a phone number of 6 to 15 digits, e.g. +44 20 7946 0958".into())
            } else {
                Ok(v.to_string())
            }
        }
        FieldKind::Money => {
            let cleaned: String = v.chars().filter(|c| *c != ',' && *c != ' ').collect();
            match cleaned.parse::<f64>() {
                Ok(n) if n.is_finite() && n >= 0.0 && n < 1e13 => Ok(format!("{n:.2}")),
                Ok(_) => Err(format!("{} must be between 0 and 9,999,999,999,999", spec.label)),
                Err(_) => Err(format!("{} must be an amount such as 12500 or 12500.50", spec.label)),
            }
        }
        FieldKind::Date => {
            if super::parse_date_ms(v).is_some() {
                Ok(v.to_string())
            } else {
                Err(format!("{} must be a date (YYYY-MM-DD)", spec.label))
            }
        }
        FieldKind::Flag => match v {
            "true" | "yes" | "on" => Ok("true".into()),
            "false" | "no" | "off" => Ok("false".into()),
            _ => Err(format!("{} must be yes or no", spec.label)),
        },
        FieldKind::Choice(options) => options
            .iter()
            .find(|o| o.eq_ignore_ascii_case(v))
            .map(|o| o.to_string())
            .ok_or_else(|| format!("{} must be one of: {}", spec.label, options.join(", "))),
    }
}

/// Checks every given value of a module's record; unknown field names are errors too.
pub fn check_values(module: Module, values: &BTreeMap<String, String>) -> Result<BTreeMap<String, String>, Vec<FieldError>> {
    let mut out = BTreeMap::new();
    let mut errors = Vec::new();
    for (name, raw) in values {
        match record_fields(module).iter().find(|f| f.name == name) {
            None => errors.push(FieldError::new(name.clone(), format!("{} has no field `{name}`", module.label()))),
            Some(spec) => match check_value(spec, raw) {
                Ok(v) => {
                    out.insert(name.clone(), v);
                }
                Err(m) => errors.push(FieldError::new(name.clone(), m)),
            },
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// A field as a user sees it: hidden fields are never sent, so they never appear here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldMeta {
    pub name: String,
    pub label: String,
    pub rule: FieldRule,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct RecordRow {
    pub id: String,
    pub module: Module,
    /// The title field's value, or "(hidden)" when the title field is hidden from this user.
    pub title: String,
    /// Only the fields this user may see.
    pub values: BTreeMap<String, String>,
    pub owner: NamedRef,
    pub company: NamedRef,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct RecordQuery {
    pub module: Option<Module>,
    #[serde(default)]
    pub search: String,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub company: Option<String>,
    #[serde(default = "first_page")]
    pub page: u32,
    #[serde(default = "default_per_page")]
    pub per_page: u32,
    #[serde(default)]
    pub sort: RecordSort,
}

/// The order of a records list: by when each record last changed (newest first by default), or
/// by title (not when the viewer may not see titles: the newest come first then).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum RecordSort {
    #[default]
    Newest,
    Oldest,
    TitleAsc,
    TitleDesc,
}

/// A page of one module's records with what the user may do there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordPage {
    pub module: Module,
    pub columns: Vec<FieldMeta>,
    pub page: Page<RecordRow>,
    pub can_create: bool,
    pub can_export: bool,
    /// The level the list shows records at ("Own", "Department tree", …) and why, for the hint.
    pub reach: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordDetail {
    pub record: RecordRow,
    pub fields: Vec<FieldMeta>,
    pub can_edit: bool,
    pub can_delete: bool,
    pub can_assign: bool,
}

/// What the record form sends. On edit, only the fields sent are changed; sending a hidden
/// field, or a different value for a read-only one, is refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct RecordInput {
    pub values: BTreeMap<String, String>,
    /// The owner's user id (create: defaults to oneself).
    #[serde(default)]
    pub owner: Option<String>,
    /// The company's id (create only).
    #[serde(default)]
    pub company: Option<String>,
}

/// Where a new record may go: the companies and owners this user may create for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordChoices {
    pub companies: Vec<NamedRef>,
    pub owners: Vec<NamedRef>,
    pub fields: Vec<FieldMeta>,
}

/// Who can see a record and why (the record page's "Who can see this record").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordAudience {
    /// Everyone (in the viewer's reach) who can see the record.
    pub total: u64,
    /// The first of them, by name, each with why.
    pub people: Vec<AudienceEntry>,
}

/// One person who can see a record: how far they may go with it and the engine's reasons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AudienceEntry {
    pub id: String,
    pub name: String,
    /// "View" or "View and edit".
    pub access: String,
    pub reasons: Vec<String>,
}

/// What reassigning all of a person's records did (or, as a preview, would do).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReassignResult {
    /// (module label, records moved)
    pub moved: Vec<(String, u64)>,
    /// Records of the user the caller may not edit, left where they are.
    pub left: u64,
}
