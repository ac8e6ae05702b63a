//! People's accounts: e-mail addresses, display names and the password rules.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::vocab::VocabError;

/// An e-mail address, trimmed and lower-cased, so that one person has one account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(value_type = String, format = Email))]
pub struct Email(String);

impl Email {
    pub fn parse(s: &str) -> Result<Email, VocabError> {
        let e = s.trim().to_lowercase();
        let bad = |why: &str| VocabError::new("email", why.to_string());
        if e.is_empty() {
            return Err(bad("is empty"));
        }
        if e.chars().count() > 254 {
            return Err(bad("is longer than 254 characters"));
        }
        let Some((local, domain)) = e.rsplit_once('@') else { return Err(bad("is not an e-mail address")) };
        let ok_local = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && local.chars().all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
        let ok_domain = domain.contains('.')
            && !domain.starts_with(['.', '-'])
            && !domain.ends_with(['.', '-'])
            && domain.split('.').all(|l| !l.is_empty() && l.len() <= 63)
            && domain.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '.');
        if !ok_local || !ok_domain {
            return Err(bad("is not an e-mail address"));
        }
        Ok(Email(e))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl TryFrom<String> for Email {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Email::parse(&s).map_err(|e| e.message)
    }
}
impl From<Email> for String {
    fn from(e: Email) -> String {
        e.0
    }
}

/// The shortest and longest passwords accepted.
pub const PASSWORD_MIN: usize = 8;
pub const PASSWORD_MAX: usize = 128;

/// Passwords that appear at the top of every list of leaked passwords. Refusing them stops
/// the guessing that rate limits only slow down.
const COMMON_PASSWORDS: &[&str] = &[
    "123456",
    "123456789",
    "12345678",
    "password",
    "qwerty123",
    "qwerty1",
    "111111",
    "12345",
    "1234567890",
    "1234567",
    "qwerty",
    "abc123",
    "000000",
    "password1",
    "iloveyou",
    "1q2w3e4r",
    "123123",
    "qwertyuiop",
    "1qaz2wsx",
    "dragon",
    "sunshine",
    "princess",
    "letmein",
    "654321",
    "monkey",
    "football",
    "baseball",
    "welcome",
    "welcome1",
    "admin",
    "admin123",
    "administrator",
    "passw0rd",
    "password123",
    "p@ssw0rd",
    "p@ssword",
    "master",
    "hello123",
    "shadow",
    "superman",
    "michael",
    "jennifer",
    "trustno1",
    "starwars",
    "whatever",
    "freedom",
    "qazwsx",
    "zaq12wsx",
    "asdfghjkl",
    "asdfgh",
    "zxcvbnm",
    "computer",
    "internet",
    "access",
    "secret",
    "mustang",
    "charlie",
    "jordan23",
    "harley",
    "ranger",
    "buster",
    "soccer",
    "hockey",
    "killer",
    "batman",
    "thomas",
    "tigger",
    "robert",
    "daniel",
    "andrew",
    "joshua",
    "pepper",
    "ginger",
    "hunter",
    "hunter2",
    "maggie",
    "summer",
    "ashley",
    "nicole",
    "chelsea",
    "biteme",
    "matthew",
    "access14",
    "yankees",
    "dallas",
    "austin",
    "thunder",
    "taylor",
    "matrix",
    "minecraft",
    "pokemon",
    "naruto",
    "loveyou",
    "lovely",
    "babygirl",
    "flower",
    "samsung",
    "google",
    "banyan",
    "changeme",
    "default",
    "guest",
    "test1234",
    "testtest",
    "demo1234",
    "user1234",
    "login123",
    "12341234",
    "11111111",
    "88888888",
    "87654321",
    "00000000",
    "123qwe",
    "qwe123",
    "1qazxsw2",
    "aa123456",
    "a123456",
    "abcd1234",
    "abcdefg",
    "abcdefgh",
    "iloveyou1",
    "princess1",
    "sunshine1",
    "football1",
    "monkey123",
    "q1w2e3r4",
    "q1w2e3r4t5",
    "1q2w3e4r5t",
    "zxcvbnm1",
    "asdf1234",
    "qwer1234",
    "password!",
    "pass1234",
    "bangladesh",
    "thailand",
    "malaysia",
    "pakistan",
    "indonesia",
    "philippines",
    "vietnam",
    "india123",
];

/// Why a password is refused.
pub fn check_password(password: &str, email: Option<&Email>) -> Result<(), String> {
    let n = password.chars().count();
    if n < PASSWORD_MIN {
        return Err(format!("must be at least {PASSWORD_MIN} characters"));
    }
    if n > PASSWORD_MAX {
        return Err(format!("must be at most {PASSWORD_MAX} characters"));
    }
    let lower = password.to_lowercase();
    if COMMON_PASSWORDS.contains(&lower.as_str()) {
        return Err("is one of the most common passwords; choose another".into());
    }
    let mut chars = lower.chars();
    let first = chars.next();
    if chars.all(|c| Some(c) == first) {
        return Err("is one character repeated; choose another".into());
    }
    if let Some(email) = email {
        let local = email.as_str().split('@').next().unwrap_or_default();
        if lower == email.as_str() || (local.len() >= 4 && lower.contains(local)) {
            return Err("must not contain your e-mail address".into());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(Email::parse("  Amina.Rahman@Example.GOV.bd ").unwrap().as_str(), "amina.rahman@example.gov.bd");
        for bad in
            ["", "amina", "@example.org", "amina@", "amina@example", "a b@example.org", ".a@example.org", "a@-x.org"]
        {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords_follow_the_rules() {
        let email = Email::parse("somchai@example.org").unwrap();
        assert!(check_password("correct horse battery", Some(&email)).is_ok());
        assert!(check_password("short", None).unwrap_err().contains("at least 8"));
        assert!(check_password(&"x".repeat(129), None).unwrap_err().contains("at most 128"));
        assert!(check_password("Password1", None).unwrap_err().contains("common"));
        assert!(check_password("aaaaaaaaaa", None).is_err());
        assert!(check_password("my-somchai-pass", Some(&email)).unwrap_err().contains("e-mail"));
        assert!(check_password("ভূমিসেবা২০২৪", None).is_ok(), "any script counts, by characters");
    }
}
