//! The password policy (NIST SP 800-63B style): length over composition. At least 12 characters,
//! at most 128, no "one digit and one symbol" rules; refuse what attackers try first (common
//! passwords and their decorated forms, keyboard runs, repeats) and the person's own name or email.

pub const PASSWORD_MIN_CHARS: usize = 12;
pub const PASSWORD_MAX_CHARS: usize = 128;

/// Words that head every password-guessing list; a password that is one of these (or one of these
/// repeated, or padded with digits and symbols) is refused.
const COMMON_WORDS: &[&str] = &[
    "password", "passw0rd", "p@ssw0rd", "p@ssword", "qwerty", "qwertz", "azerty", "letmein", "welcome",
    "admin", "administrator", "iloveyou", "monkey", "dragon", "football", "baseball", "soccer",
    "sunshine", "princess", "trustno", "master", "shadow", "superman", "batman", "starwars",
    "whatever", "freedom", "changeme", "default", "secret", "login", "access", "hello", "charlie",
    "michael", "jennifer", "jordan", "hunter", "ranger", "buster", "summer", "winter", "spring",
    "autumn", "computer", "internet", "security", "company", "business", "office", "crm",
    "gatehouse", "manager", "user", "guest", "test", "testing", "abc", "god", "love", "money",
    "pokemon", "minecraft", "chocolate", "cookie", "cheese", "pepper", "ginger", "flower",
    "tigger", "pussy", "killer", "soccer", "hockey", "mustang", "harley", "yankees", "liverpool",
    "arsenal", "chelsea", "barcelona", "america", "canada", "london", "berlin", "paris",
];

/// Keyboard and alphabet runs; a password that is a slice of one of these (or of its reverse) is refused.
const RUNS: &[&str] = &[
    "01234567890123456789",
    "abcdefghijklmnopqrstuvwxyz",
    "qwertyuiopasdfghjklzxcvbnm",
    "qwertzuiopasdfghjklyxcvbnm",
    "azertyuiopqsdfghjklmwxcvbn",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
    "1q2w3e4r5t6y7u8i9o0p",
    "zaq12wsxcde34rfvbgt56yhnmju78ik",
    "qazwsxedcrfvtgbyhnujmikolp",
];

/// Checks a new password against the policy. `name_words` and `email_local` are the person's own
/// (lower-cased); a password built on them is refused.
pub fn check_password(password: &str, name_words: &[String], email_local: &str) -> Result<(), String> {
    let chars = password.chars().count();
    if chars < PASSWORD_MIN_CHARS {
        return Err(format!(
            "use at least {PASSWORD_MIN_CHARS} characters ({chars} so far); a short sentence is easy to remember"
        ));
    }
    if chars > PASSWORD_MAX_CHARS {
        return Err(format!("use at most {PASSWORD_MAX_CHARS} characters"));
    }
    let lower = password.to_lowercase();
    let distinct: std::collections::HashSet<char> = lower.chars().collect();
    if distinct.len() < 5 {
        return Err("this password repeats too few characters; pick something less predictable".into());
    }
    if is_run(&lower) {
        return Err("keyboard and alphabet runs are the first thing attackers try".into());
    }
    // Strip the decoration people add to satisfy old rules ("Password123!") and look at what is left.
    let core: String = lower.chars().filter(|c| c.is_alphabetic()).collect();
    if core.is_empty() || is_repeat_of_common(&core) || is_repeat_of_common(&lower) {
        return Err("this is one of the most common passwords; pick something less predictable".into());
    }
    let email_local = email_local.to_lowercase();
    if email_local.chars().count() >= 3 && lower.contains(&email_local) {
        return Err("a password must not contain your email address".into());
    }
    let email_core: String = email_local.chars().filter(|c| c.is_alphabetic()).collect();
    if email_core.chars().count() >= 3 && core == email_core {
        return Err("a password must not be your email address".into());
    }
    let name_core: String = name_words.concat();
    if !name_core.is_empty() && (core == name_core || name_words.iter().any(|w| core == *w)) {
        return Err("a password must not be your name".into());
    }
    if name_words.iter().filter(|w| w.chars().count() >= 4).any(|w| lower.contains(w.as_str()))
        && core.chars().count() <= name_core.chars().count() + 3
    {
        return Err("a password must not be built on your name".into());
    }
    Ok(())
}

/// [`check_password`] for a person known by their full name and email as stored (either may
/// fail to parse, in which case it simply adds nothing to refuse).
pub fn check_password_for(password: &str, full_name: &str, email: &str) -> Result<(), String> {
    let words = super::PersonName::parse(full_name).map(|n| n.words()).unwrap_or_default();
    let local = super::Email::parse(email).map(|e| e.local_part()).unwrap_or_default();
    check_password(password, &words, &local)
}

/// The field messages of a new-password form: the policy, and the repeated password.
pub fn new_password_errors(password: &str, confirm: &str, full_name: &str, email: &str) -> Vec<super::FieldError> {
    let mut fields = Vec::new();
    if let Err(m) = check_password_for(password, full_name, email) {
        fields.push(super::FieldError::new("password", m));
    }
    if confirm != password {
        fields.push(super::FieldError::new("confirm", "the two passwords differ"));
    }
    fields
}

fn is_run(s: &str) -> bool {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    RUNS.iter().any(|run| {
        let rev: String = run.chars().rev().collect();
        run.contains(&s) || rev.contains(&s) || {
            // "12345678901234" wraps around; compare against the run written twice.
            let twice = format!("{run}{run}");
            twice.contains(&s)
        }
    })
}

fn is_repeat_of_common(s: &str) -> bool {
    COMMON_WORDS.iter().any(|w| is_repeat_of(s, w)) || s.chars().all(|c| c.is_ascii_digit())
}

/// True when `s` is `word` written once or more in a row (possibly cut short at the end).
fn is_repeat_of(s: &str, word: &str) -> bool {
    if s.is_empty() || word.is_empty() || !s.starts_with(word) {
        return false;
    }
    s.chars().zip(word.chars().cycle()).all(|(a, b)| a == b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(pw: &str) -> Result<(), String> {
        check_password(pw, &["ann".into(), "lee".into()], "ann.lee")
    }

    #[test]
    fn long_passphrases_are_accepted_without_composition_rules() {
        for ok in [
            "correct horse battery staple",
            "mountain-coffee-91-lantern",
            "zebras eat spaghetti at noon",
            "Ünïcödé pässphrase wörks",
            "the quick brown fox jumps over the lazy dog while seven wizards quietly brew coffee at dawn in a small mountain village",
        ] {
            assert_eq!(check(ok), Ok(()), "{ok:?} should be accepted");
        }
    }

    #[test]
    fn too_short_or_too_long() {
        assert!(check("short pw 1").unwrap_err().contains("at least 12"));
        assert!(check(&"ab3".repeat(43)).unwrap_err().contains("at most 128"));
        assert!(check("").unwrap_err().contains("0 so far"));
    }

    #[test]
    fn common_passwords_and_their_decorations_are_refused() {
        for bad in [
            "password1234", "Password123!", "passwordpassword", "qwertyuiopas", "123456789012",
            "iloveyou2024!", "aaaaaaaaaaaaaa", "abababababab", "Welcome2024!!", "letmeinletmein",
            "1q2w3e4r5t6y", "zyxwvutsrqpon", "098765432109",
        ] {
            assert!(check(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn own_name_or_email_is_refused() {
        assert!(check("ann.lee@2024!!").unwrap_err().contains("email"));
        let name_only = check_password("AnnLee12345678", &["ann".into(), "lee".into()], "a.l.work");
        assert!(name_only.unwrap_err().contains("name"));
        let long_name = check_password("Katherine2024!!", &["katherine".into()], "kj");
        assert!(long_name.unwrap_err().contains("name"));
        // A name inside a real passphrase is fine.
        assert_eq!(check_password("katherine rides seven blue horses", &["katherine".into()], "kj"), Ok(()));
    }
}

/// The first-run form's checks, every message at once; the browser shows them before sending,
/// the server applies them again. The parsed name and email when all is well.
pub fn setup_errors(full_name: &str, email: &str, password: &str) -> Result<(super::PersonName, super::Email), Vec<super::FieldError>> {
    use super::FieldError;
    let mut errors = Vec::new();
    let name = super::PersonName::parse(full_name).map_err(|m| errors.push(FieldError::new("full_name", m))).ok();
    let email = super::Email::parse(email).map_err(|m| errors.push(FieldError::new("email", m))).ok();
    // The password is judged even when the other fields are wrong, so every message shows at once.
    let words = name.as_ref().map(|n| n.words()).unwrap_or_default();
    let local = email.as_ref().map(|e| e.local_part()).unwrap_or_default();
    if let Err(m) = check_password(password, &words, &local) {
        errors.push(FieldError::new("password", m));
    }
    match (name, email) {
        (Some(name), Some(email)) if errors.is_empty() => Ok((name, email)),
        _ => Err(errors),
    }
}

/// The sign-in form's checks (an email address, a password typed), shared like [`setup_errors`].
pub fn sign_in_errors(email: &str, password: &str) -> Result<super::Email, Vec<super::FieldError>> {
    use super::FieldError;
    let mut errors = Vec::new();
    let email = super::Email::parse(email).map_err(|m| errors.push(FieldError::new("email", m))).ok();
    if password.is_empty() {
        errors.push(FieldError::new("password", "enter your password"));
    }
    match email {
        Some(email) if errors.is_empty() => Ok(email),
        _ => Err(errors),
    }
}
