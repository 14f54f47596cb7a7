//! CSV import and export of people: one file format for both (the export's columns are the
//! import's), read the same in the browser (to say at once what a file holds) and on the server.
//! A cell that a spreadsheet would run as a formula is refused on import and defused on export.

use serde::{Deserialize, Serialize};

/// The columns, in order, of the users CSV (export writes them; import reads them by name).
pub const USER_CSV_COLUMNS: [&str; 7] = ["full_name", "email", "mobile", "role", "department", "companies", "is_approver"];

/// How companies are separated inside their one cell.
pub const COMPANY_SEPARATOR: char = ';';

/// The most rows one import takes.
pub const IMPORT_MAX_ROWS: usize = 10_000;

/// One person as a CSV row gives them: names, not ids (role, department, companies by name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CsvPerson {
    /// The file's line this row is on (the header is line 1).
    pub line: usize,
    pub full_name: String,
    pub email: String,
    pub mobile: String,
    pub role: String,
    pub department: String,
    pub companies: Vec<String>,
    /// Empty cell: as it is (no for a new person).
    pub is_approver: Option<bool>,
}

/// A problem with one cell (or a whole line when `column` is empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellError {
    pub line: usize,
    pub column: String,
    pub message: String,
}

/// What the dry run found for one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RowOutcome {
    /// A new person would be invited.
    Create,
    /// An existing person (same email) would change: the fields that differ.
    Update(Vec<String>),
    /// An existing person already looks like this row.
    Unchanged,
    /// The row would be skipped: why.
    Refused(Vec<CellError>),
}

/// One row of the dry run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowPlan {
    pub line: usize,
    pub email: String,
    pub outcome: RowOutcome,
}

/// The dry run: every row's outcome, and the counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ImportPlan {
    pub rows: Vec<RowPlan>,
    pub create: u64,
    pub update: u64,
    pub unchanged: u64,
    pub refused: u64,
}

impl ImportPlan {
    pub fn errors(&self) -> Vec<CellError> {
        self.rows
            .iter()
            .filter_map(|r| match &r.outcome {
                RowOutcome::Refused(e) => Some(e.clone()),
                _ => None,
            })
            .flatten()
            .collect()
    }
}

/// An import under way or done, as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ImportJob {
    pub id: String,
    pub file_name: String,
    /// Rows to apply (the refused ones are not counted).
    pub total: u64,
    /// Rows applied so far.
    pub done: u64,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Rows that failed when applied (someone changed something meanwhile): line and why.
    pub failed: Vec<CellError>,
    /// `running` or `done`.
    pub status: String,
    pub started_at: i64,
    pub finished_at: Option<i64>,
}

impl ImportJob {
    /// Percent done, 0 to 100.
    pub fn percent(&self) -> u64 {
        (self.done * 100).checked_div(self.total).map_or(100, |p| p.min(100))
    }
}

/// Splits CSV text (RFC 4180: quoted cells, doubled quotes, CRLF or LF) into records, each with
/// the line it starts on. Blank lines are skipped.
pub fn parse_csv(text: &str) -> Result<Vec<(usize, Vec<String>)>, CellError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = Vec::new();
    let mut cell = String::new();
    let mut row: Vec<String> = Vec::new();
    let mut line = 1usize;
    let mut row_line = 1usize;
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    cell.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    cell.push(c);
                }
                _ => cell.push(c),
            }
            continue;
        }
        match c {
            '"' if cell.is_empty() => quoted = true,
            ',' => row.push(std::mem::take(&mut cell)),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                row.push(std::mem::take(&mut cell));
                if !(row.len() == 1 && row.first().is_some_and(|c| c.trim().is_empty())) {
                    records.push((row_line, std::mem::take(&mut row)));
                }
                row.clear();
                line += 1;
                row_line = line;
            }
            _ => cell.push(c),
        }
    }
    if quoted {
        return Err(CellError { line: row_line, column: String::new(), message: "a quoted cell is not closed (a \" is missing)".into() });
    }
    if !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        if !(row.len() == 1 && row.first().is_some_and(|c| c.trim().is_empty())) {
            records.push((row_line, row));
        }
    }
    Ok(records)
}

/// A cell a spreadsheet would run as a formula.
pub fn looks_like_formula(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// Reads the people of a users CSV: the header names the columns (any order; `full_name` and
/// `email` required, unknown ones refused), each row becomes a [`CsvPerson`] or cell errors.
pub fn read_people(text: &str) -> Result<Vec<Result<CsvPerson, Vec<CellError>>>, CellError> {
    let records = parse_csv(text)?;
    let mut it = records.into_iter();
    let Some((_, header)) = it.next() else {
        return Err(CellError { line: 1, column: String::new(), message: "the file is empty: the first line must name the columns".into() });
    };
    let header: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
    if let Some(unknown) = header.iter().find(|h| !USER_CSV_COLUMNS.contains(&h.as_str())) {
        return Err(CellError {
            line: 1,
            column: unknown.clone(),
            message: format!("unknown column `{unknown}`; the columns are {}", USER_CSV_COLUMNS.join(", ")),
        });
    }
    for needed in ["full_name", "email"] {
        if !header.iter().any(|h| h == needed) {
            return Err(CellError { line: 1, column: needed.into(), message: format!("the column `{needed}` is missing") });
        }
    }
    let mut out = Vec::new();
    for (line, cells) in it {
        if out.len() >= IMPORT_MAX_ROWS {
            return Err(CellError { line, column: String::new(), message: format!("one import takes at most {IMPORT_MAX_ROWS} people; split the file") });
        }
        let mut errors = Vec::new();
        if cells.len() > header.len() {
            errors.push(CellError { line, column: String::new(), message: format!("{} cells, but the header names {} columns", cells.len(), header.len()) });
        }
        let mut p = CsvPerson { line, ..CsvPerson::default() };
        for (name, raw) in header.iter().zip(cells.iter()) {
            let mut value = raw.trim();
            // A cell our own export defused (`'+44…`) reads back as it was.
            if let Some(rest) = value.strip_prefix('\'').filter(|r| looks_like_formula(r)) {
                value = rest;
            }
            if looks_like_formula(value) && !(name == "mobile" && value.starts_with('+')) {
                errors.push(CellError { line, column: name.clone(), message: "starts like a spreadsheet formula (=, +, -, @); remove that character".into() });
                continue;
            }
            match name.as_str() {
                "full_name" => p.full_name = value.to_string(),
                "email" => p.email = value.to_string(),
                "mobile" => p.mobile = value.to_string(),
                "role" => p.role = value.to_string(),
                "department" => p.department = value.to_string(),
                "companies" => {
                    p.companies = value.split(COMPANY_SEPARATOR).map(str::trim).filter(|c| !c.is_empty()).map(str::to_string).collect();
                }
                "is_approver" => match value.to_lowercase().as_str() {
                    "" => p.is_approver = None,
                    "no" | "false" | "0" => p.is_approver = Some(false),
                    "yes" | "true" | "1" => p.is_approver = Some(true),
                    _ => errors.push(CellError { line, column: name.clone(), message: "write yes or no".into() }),
                },
                _ => {}
            }
        }
        out.push(if errors.is_empty() { Ok(p) } else { Err(errors) });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_cells_doubled_quotes_and_line_numbers() {
        let text = "full_name,email\r\n\"Lee, Ann\",ann@example.com\n\n\"Bo \"\"B\"\"\nTwo\",bo@example.com\nCy,cy@example.com";
        let rows = parse_csv(text).unwrap();
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[1], (2, vec!["Lee, Ann".to_string(), "ann@example.com".to_string()]));
        assert_eq!(rows[2], (4, vec!["Bo \"B\"\nTwo".to_string(), "bo@example.com".to_string()]));
        assert_eq!(rows[3].0, 6, "a line after a cell with a line break is counted");
        assert!(parse_csv("a,\"b").is_err());
    }

    #[test]
    fn people_are_read_by_column_name_and_formulas_refused() {
        let text = "email,full_name,companies,is_approver,mobile\nann@example.com,Ann,North;South ,yes,+44 20 7946 0000\nbo@example.com,=HYPERLINK(\"x\"),North,maybe,\n";
        let people = read_people(text).unwrap();
        let ann = people[0].clone().unwrap();
        assert_eq!(ann.companies, ["North", "South"]);
        assert_eq!(ann.is_approver, Some(true));
        assert_eq!(ann.mobile, "+44 20 7946 0000", "a phone number may start with +");
        let exported = read_people("full_name,email,mobile\nAnn,ann@example.com,'+44 1\n").unwrap();
        assert_eq!(exported[0].clone().unwrap().mobile, "+44 1", "the export's defused cell reads back");
        let bo = people[1].clone().unwrap_err();
        assert_eq!(bo.iter().map(|e| e.column.as_str()).collect::<Vec<_>>(), ["full_name", "is_approver"]);
        assert_eq!(bo[0].line, 3);
        assert!(read_people("name,email\n").is_err(), "an unknown column is refused");
        assert!(read_people("email\n").is_err(), "full_name is required");
    }
}
