//! Text as Banyan stores it: Unicode NFC, no control characters, whitespace tidied.
//!
//! NFC matters for search and for duplicate detection: the same Vietnamese or Bengali word typed
//! on two keyboards can arrive as different code point sequences.

use unicode_normalization::UnicodeNormalization;

/// Why a text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextError {
    ControlCharacter,
}

fn is_forbidden_control(c: char) -> bool {
    // C0 and C1 controls other than tab and line breaks, and the BOM / non-characters.
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FEFF}' | '\u{FFFE}' | '\u{FFFF}')
}

/// Removes the control characters [`line`] and [`block`] refuse, for text from sources that
/// carry stray ones (mojibake such as U+009D left over from a bad conversion). Returns whether
/// any were removed.
pub fn strip_controls(s: &str) -> (String, bool) {
    let cleaned: String = s.chars().filter(|c| !is_forbidden_control(*c)).collect();
    let changed = cleaned.len() != s.len();
    (cleaned, changed)
}

/// One line of text (a title, a name): whitespace runs, line breaks included, become one space.
pub fn line(s: &str) -> Result<String, TextError> {
    if s.chars().any(is_forbidden_control) {
        return Err(TextError::ControlCharacter);
    }
    let nfc: String = s.nfc().collect();
    Ok(nfc.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// A block of text (a problem statement, results): line breaks are kept, trailing spaces and
/// runs of more than one blank line are dropped.
pub fn block(s: &str) -> Result<String, TextError> {
    if s.chars().any(is_forbidden_control) {
        return Err(TextError::ControlCharacter);
    }
    let nfc: String = s.replace("\r\n", "\n").replace('\r', "\n").nfc().collect();
    let mut out = String::with_capacity(nfc.len());
    let mut blank_run = 0;
    for l in nfc.lines() {
        let l = l.trim_end();
        if l.trim().is_empty() {
            blank_run += 1;
            if blank_run > 1 || out.is_empty() {
                continue;
            }
        } else {
            blank_run = 0;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(if l.trim().is_empty() { "" } else { l });
    }
    Ok(out.trim_end().to_string())
}

/// The number of characters (Unicode scalar values), which is what limits count.
pub fn chars(s: &str) -> usize {
    s.chars().count()
}

/// Cuts a text to at most `max` characters at a sentence or word boundary, adding "…" when it
/// cut. Used where a source's long description must become a summary.
pub fn shorten(s: &str, max: usize) -> String {
    if chars(s) <= max {
        return s.to_string();
    }
    let budget: String = s.chars().take(max.saturating_sub(1)).collect();
    // Prefer the end of a sentence in the last half, then a word boundary.
    let sentence_end = budget
        .char_indices()
        .filter(|(i, c)| matches!(c, '.' | '!' | '?' | '।' | '॥' | '。') && *i > budget.len() / 2)
        .map(|(i, c)| i + c.len_utf8())
        .next_back();
    if let Some(end) = sentence_end {
        return budget[..end].trim_end().to_string();
    }
    let cut = budget.rfind(char::is_whitespace).filter(|&i| i > budget.len() / 2).unwrap_or(budget.len());
    format!("{}…", budget[..cut].trim_end())
}

/// A URL- and file-name-friendly form of a title. Letters and digits of every script are kept
/// (Thai and Bengali vowel signs included); Latin letters lose their accents; everything else
/// becomes a hyphen.
pub fn slugify(s: &str, max: usize) -> String {
    let mut out = String::new();
    let mut prev_ascii = false;
    for c in s.nfd() {
        if unicode_normalization::char::is_combining_mark(c) {
            // Accents on Latin letters go; marks of other scripts are part of the letter.
            if !prev_ascii && !out.is_empty() && !out.ends_with('-') {
                out.push(c);
            }
            continue;
        }
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
            prev_ascii = c.is_ascii();
        } else {
            if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
            prev_ascii = false;
        }
    }
    let nfc: String = out.nfc().collect();
    let mut slug: String = nfc.chars().take(max).collect();
    while slug.ends_with('-') {
        slug.pop();
    }
    slug
}

/// JSON to put inside an HTML `<script>` element (JSON-LD): `<`, `>` and `&` are written as
/// `\u003c`, `\u003e` and `\u0026`, which JSON reads back as the same characters, so that no
/// text can close the element or open a comment.
pub fn json_for_script(v: &serde_json::Value) -> String {
    v.to_string().replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_collapse_whitespace_and_refuse_control_characters() {
        assert_eq!(line("  One\tstop \n shop ").unwrap(), "One stop shop");
        assert_eq!(line("bad\u{0007}bell"), Err(TextError::ControlCharacter));
        assert_eq!(line("\u{FEFF}bom"), Err(TextError::ControlCharacter));
    }

    #[test]
    fn stray_controls_can_be_stripped() {
        assert_eq!(strip_controls("a\u{9d}b\nc"), ("ab\nc".to_string(), true));
        assert_eq!(strip_controls("clean"), ("clean".to_string(), false));
    }

    #[test]
    fn text_is_stored_in_nfc() {
        // "đổi mới" typed with combining marks becomes the precomposed form.
        let decomposed = "\u{0111}o\u{0302}\u{0309}i mo\u{031B}\u{0301}i";
        assert_eq!(line(decomposed).unwrap(), "đổi mới");
    }

    #[test]
    fn blocks_keep_paragraphs() {
        assert_eq!(block("\n\nFirst line  \r\nsecond\n\n\n\nThird\n").unwrap(), "First line\nsecond\n\nThird");
    }

    #[test]
    fn shorten_prefers_sentence_ends_then_words() {
        let s = "The land office took five visits. Now it takes one, because the forms are online and the fee is paid by mobile money.";
        let short = shorten(s, 60);
        assert_eq!(short, "The land office took five visits.");
        let words = shorten("aaaa bbbb cccc dddd eeee ffff gggg", 20);
        assert!(words.ends_with('…') && chars(&words) <= 20, "{words}");
        assert_eq!(shorten("short", 10), "short");
    }

    #[test]
    fn slugs_keep_every_script() {
        assert_eq!(slugify("One-Stop Land Services: Dhaka (2024)!", 80), "one-stop-land-services-dhaka-2024");
        assert_eq!(slugify("Đổi mới hành chính", 80), "đoi-moi-hanh-chinh");
        assert_eq!(slugify("ভূমি সেবা", 80), "ভূমি-সেবা");
        assert_eq!(slugify("คิวโรงพยาบาล ออนไลน์", 80), "คิวโรงพยาบาล-ออนไลน์");
        assert_eq!(slugify("!!!", 80), "");
        assert_eq!(slugify("abc def", 4), "abc");
    }

    #[test]
    fn json_for_a_script_element_cannot_close_it() {
        let v = serde_json::json!({"name": "</script><script>alert(1)</script> & <!--"});
        let out = super::json_for_script(&v);
        assert!(!out.contains('<') && !out.contains('>') && !out.contains('&'), "{out}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&out).unwrap(), v);
    }
}
