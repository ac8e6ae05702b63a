//! Atom (RFC 4287) feeds of newly published records.

use chrono::{DateTime, SecondsFormat, Utc};

use banyan_domain::Record;

use crate::xml::Xml;

/// What a feed is about.
pub struct Feed<'a> {
    /// The feed's own address, which is also its id.
    pub self_url: &'a str,
    /// The page that shows the same records.
    pub html_url: &'a str,
    pub title: &'a str,
    /// The node's name: the feed's author.
    pub author: &'a str,
    /// The records, newest first.
    pub records: &'a [Record],
}

fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The feed as Atom XML. Each entry is a public record: its URI as id and link, title,
/// summary, when it was published and last updated, and its kind, SDGs, sectors and places as
/// categories.
pub fn atom(feed: &Feed<'_>) -> String {
    let mut x = Xml::new();
    x.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.open("feed", &[("xmlns", "http://www.w3.org/2005/Atom")]);
    x.text_element("title", &[], feed.title);
    x.text_element("id", &[], feed.self_url);
    x.text_element("link", &[("rel", "self"), ("type", "application/atom+xml"), ("href", feed.self_url)], "");
    x.text_element("link", &[("rel", "alternate"), ("type", "text/html"), ("href", feed.html_url)], "");
    let updated = feed.records.iter().map(|r| r.updated_at).max().unwrap_or(DateTime::UNIX_EPOCH);
    x.text_element("updated", &[], &stamp(updated));
    x.open("author", &[]);
    x.text_element("name", &[], feed.author);
    x.close("author");
    x.text_element("generator", &[("uri", "https://github.com/banyan-exchange/banyan")], "Banyan");
    for r in feed.records {
        let c = &r.content;
        x.open("entry", &[("xml:lang", c.lang.as_str())]);
        x.text_element("title", &[], &c.title);
        x.text_element("id", &[], &r.uri);
        x.text_element("link", &[("rel", "alternate"), ("type", "text/html"), ("href", &r.uri)], "");
        x.text_element("published", &[], &stamp(r.published_at.unwrap_or(r.created_at)));
        x.text_element("updated", &[], &stamp(r.updated_at));
        if let Some(s) = &c.summary {
            x.text_element("summary", &[], s);
        }
        x.text_element("category", &[("term", r.kind().code()), ("label", r.kind().label())], "");
        for s in &c.sdgs {
            x.text_element(
                "category",
                &[("term", &format!("sdg:{}", s.code())), ("label", &format!("SDG {}", s.code()))],
                "",
            );
        }
        for s in &c.sectors {
            x.text_element("category", &[("term", &format!("sector:{}", s.code())), ("label", s.name())], "");
        }
        for p in &c.places {
            x.text_element("category", &[("term", &format!("place:{}", p.code())), ("label", p.name())], "");
        }
        x.text_element("rights", &[], c.license.as_str());
        x.close("entry");
    }
    x.close("feed");
    x.finish()
}
