//! The fields of the six record modules, written once: their names, labels, kinds and which one
//! is the title. Field rules, the engine, the server's checks and the forms all read this table.

use super::Module;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    Phone,
    /// An amount in the installation's currency, two decimals.
    Money,
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    Flag,
    Choice(&'static [&'static str]),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: FieldKind,
    /// The record's title: required, and what lists and links show.
    pub title: bool,
}

const fn text(name: &'static str, label: &'static str, title: bool) -> FieldSpec {
    FieldSpec { name, label, kind: FieldKind::Text, title }
}

const fn field(name: &'static str, label: &'static str, kind: FieldKind) -> FieldSpec {
    FieldSpec { name, label, kind, title: false }
}

const LEADS: &[FieldSpec] = &[
    text("name", "Name", true),
    field("source", "Source", FieldKind::Choice(&["Web", "Referral", "Event", "Cold call", "Partner"])),
    field("status", "Status", FieldKind::Choice(&["New", "Contacted", "Qualified", "Lost"])),
];
const CUSTOMERS: &[FieldSpec] =
    &[text("name", "Name", true), field("phone", "Phone", FieldKind::Phone), field("annual_revenue", "Annual revenue", FieldKind::Money)];
const OPPORTUNITIES: &[FieldSpec] = &[
    text("name", "Name", true),
    field("amount", "Amount", FieldKind::Money),
    field("stage", "Stage", FieldKind::Choice(&["Prospecting", "Proposal", "Negotiation", "Won", "Lost"])),
    field("close_date", "Close date", FieldKind::Date),
];
const TASKS: &[FieldSpec] = &[text("title", "Title", true), field("due_date", "Due date", FieldKind::Date), field("done", "Done", FieldKind::Flag)];
const PROJECTS: &[FieldSpec] = &[
    text("name", "Name", true),
    field("budget", "Budget", FieldKind::Money),
    field("status", "Status", FieldKind::Choice(&["Planned", "Active", "On hold", "Done"])),
];
const SUPPORT: &[FieldSpec] = &[
    text("subject", "Subject", true),
    field("priority", "Priority", FieldKind::Choice(&["Low", "Normal", "High", "Urgent"])),
    field("status", "Status", FieldKind::Choice(&["Open", "Waiting", "Resolved"])),
];

/// The fields of a record module, title first: the one table the forms, the server's checks,
/// the field rules ([`Module::fields`]) and the engine read.
pub fn record_fields(module: Module) -> &'static [FieldSpec] {
    match module {
        Module::Leads => LEADS,
        Module::Customers => CUSTOMERS,
        Module::Opportunities => OPPORTUNITIES,
        Module::Tasks => TASKS,
        Module::Projects => PROJECTS,
        Module::SupportActivities => SUPPORT,
        _ => &[],
    }
}

