//! A small XML writer (for OAI-PMH and Atom; the site's SVG charts escape with it too): elements, attributes and text, every value escaped, and characters XML
//! 1.0 cannot carry (control characters) left out.

#[derive(Default)]
pub struct Xml(String);

/// `s` with `<`, `>`, `&`, `"` and `'` escaped, without characters XML 1.0 forbids.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(ch),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

impl Xml {
    pub fn new() -> Xml {
        Xml(String::new())
    }
    pub fn raw(&mut self, s: &str) {
        self.0.push_str(s);
    }
    fn start(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.0.push('<');
        self.0.push_str(name);
        for (k, v) in attrs {
            self.0.push(' ');
            self.0.push_str(k);
            self.0.push_str("=\"");
            self.0.push_str(&escape(v));
            self.0.push('"');
        }
    }
    pub fn open(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.start(name, attrs);
        self.0.push('>');
    }
    pub fn close(&mut self, name: &str) {
        self.0.push_str("</");
        self.0.push_str(name);
        self.0.push('>');
    }
    /// `<name attrs>text</name>`; `<name attrs/>` for empty text.
    pub fn text_element(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) {
        self.start(name, attrs);
        if text.is_empty() {
            self.0.push_str("/>");
        } else {
            self.0.push('>');
            self.0.push_str(&escape(text));
            self.close(name);
        }
    }
    pub fn finish(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_attributes_are_escaped_and_control_characters_dropped() {
        let mut x = Xml::new();
        x.text_element("t", &[("a", "\"<&>'")], "x < y & \u{1}z");
        assert_eq!(x.finish(), "<t a=\"&quot;&lt;&amp;&gt;&apos;\">x &lt; y &amp; z</t>");
    }
}
