//! Time-based one-time passwords (RFC 6238 over RFC 4226: HMAC-SHA-1, 6 digits, 30-second
//! steps, one step of drift either way), the enrolment QR code drawn as SVG, and recovery codes.
//! Pure functions: what is stored and when a code counts is decided in `second_factor`.

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha1::Sha1;

pub const STEP_SECS: i64 = 30;
pub const DIGITS: usize = 6;
/// 160 bits, the size RFC 4226 recommends (and the HMAC-SHA-1 block it is keyed with).
pub const SECRET_BYTES: usize = 20;
pub const RECOVERY_CODES: usize = 10;

pub fn new_secret() -> Vec<u8> {
    let mut secret = vec![0u8; SECRET_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    secret
}

/// The secret as authenticator apps take it typed in: base32 without padding.
pub fn encode(secret: &[u8]) -> String {
    data_encoding::BASE32_NOPAD.encode(secret)
}

pub fn decode(text: &str) -> Option<Vec<u8>> {
    data_encoding::BASE32_NOPAD.decode(text.as_bytes()).ok()
}

/// The code for one 30-second step (HOTP of the step counter, dynamically truncated).
pub fn code_at(secret: &[u8], step: i64) -> String {
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(secret) else { return String::new() };
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest.last().copied().unwrap_or(0) & 0x0f);
    let word = digest.get(offset..offset + 4).and_then(|b| <[u8; 4]>::try_from(b).ok()).unwrap_or([0; 4]);
    let value = u32::from_be_bytes(word) & 0x7fff_ffff;
    format!("{:0width$}", value % 10u32.pow(DIGITS as u32), width = DIGITS)
}

pub fn step_of(unix_secs: i64) -> i64 {
    unix_secs.div_euclid(STEP_SECS)
}

/// The step whose code this is, within one step of `unix_secs` either way, if any. The caller
/// still has to refuse a step at or before the last one accepted (a code counts once).
pub fn matching_step(secret: &[u8], code: &str, unix_secs: i64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = step_of(unix_secs);
    // Every candidate is computed and compared, so the time taken says nothing about which one.
    let mut found = None;
    for step in [now - 1, now, now + 1] {
        if constant_time_eq(code_at(secret, step).as_bytes(), code.as_bytes()) {
            found = Some(step);
        }
    }
    found
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'@' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The `otpauth://` address an authenticator app reads from the QR code.
pub fn uri(secret_b32: &str, account: &str, issuer: &str) -> String {
    format!(
        "otpauth://totp/{}:{}?secret={secret_b32}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
        percent(issuer),
        percent(account),
        percent(issuer)
    )
}

/// The QR code of `text` as an SVG image (drawn here; nothing is fetched from anywhere).
pub fn qr_svg(text: &str) -> Option<String> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .dark_color(qrcode::render::svg::Color("#111827"))
        .light_color(qrcode::render::svg::Color("#ffffff"))
        .build();
    // Only the `<svg>` element: it is placed inside the page, where an XML declaration has no place.
    svg.find("<svg").and_then(|at| svg.get(at..)).map(str::to_string)
}

/// Ten recovery codes of 12 characters (60 bits each), shown as `xxxx-xxxx-xxxx`.
pub fn new_recovery_codes() -> Vec<String> {
    // No 0/o, 1/l/i: read off paper without doubt.
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut bytes = [0u8; 12];
    (0..RECOVERY_CODES)
        .map(|_| {
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            let chars: Vec<char> =
                bytes.iter().map(|b| char::from(ALPHABET.get(usize::from(*b) % ALPHABET.len()).copied().unwrap_or(b'a'))).collect();
            chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
        })
        .collect()
}

/// How a recovery code is stored: a digest of the user and the code as typed, without the
/// dashes, spaces or case a person may add.
pub fn recovery_digest(user_id: &str, code: &str) -> String {
    let clean: String = code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect();
    super::auth::token_digest(&format!("recovery|{user_id}|{clean}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 column (the 8-digit values' last six digits).
    #[test]
    fn rfc_6238_test_vectors() {
        let secret = b"12345678901234567890";
        for (time, expected) in [(59, "287082"), (1_111_111_109, "081804"), (1_111_111_111, "050471"), (1_234_567_890, "005924"), (2_000_000_000, "279037")] {
            assert_eq!(code_at(secret, step_of(time)), expected, "at {time}");
        }
    }

    #[test]
    fn a_code_matches_its_step_and_its_neighbours_only() {
        let secret = new_secret();
        let now = 1_700_000_000;
        let code = code_at(&secret, step_of(now));
        assert_eq!(matching_step(&secret, &code, now), Some(step_of(now)));
        assert_eq!(matching_step(&secret, &code, now + 30), Some(step_of(now)), "one step late still counts");
        assert_eq!(matching_step(&secret, &code, now + 90), None, "three steps late does not");
        assert_eq!(matching_step(&secret, "12345", now), None);
        assert_eq!(matching_step(&secret, "abcdef", now), None);
    }

    #[test]
    fn secrets_round_trip_through_base32_and_uri() {
        let secret = new_secret();
        assert_eq!(secret.len(), 20);
        let text = encode(&secret);
        assert_eq!(decode(&text), Some(secret));
        let uri = uri(&text, "ada lovelace@example.com", "Gatehouse");
        assert!(uri.starts_with("otpauth://totp/Gatehouse:ada%20lovelace@example.com?secret="), "{uri}");
        assert!(uri.contains("&digits=6&period=30"));
        let svg = qr_svg(&uri).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("</svg>"));
    }

    #[test]
    fn recovery_codes_are_distinct_and_forgiving_to_type() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        assert!(codes.iter().all(|c| c.len() == 14 && c.matches('-').count() == 2), "{codes:?}");
        let unique: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), 10);
        let first = codes.first().unwrap();
        assert_eq!(recovery_digest("u1", first), recovery_digest("u1", &first.to_uppercase().replace('-', " ")));
        assert_ne!(recovery_digest("u1", first), recovery_digest("u2", first), "bound to its user");
    }
}
