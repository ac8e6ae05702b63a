//! What the index holds of a record or an organisation: only what anonymous visitors may see.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tantivy::TantivyDocument;
use tantivy::schema::Field;
use uuid::Uuid;

use banyan_domain::{Details, Organisation, Record};

use crate::schema::{Facet, Fields};

/// The kind of the documents of organisations, beside the kinds of records.
pub(crate) const ORGANISATION: &str = "organisation";

/// What a hit shows, stored with the document.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Display {
    pub kind: String,
    pub slug: String,
    pub lang: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Titles and summaries in other languages, by language tag.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub translations: BTreeMap<String, (Option<String>, Option<String>)>,
}

impl Display {
    /// The title and summary in `lang` when the record has them in it, else in its own language;
    /// with the language they are in.
    pub fn in_language(&self, lang: Option<&str>) -> (&str, Option<&str>, &str) {
        if let Some(l) = lang
            && l != self.lang
            && let Some((key, (title, summary))) =
                self.translations.iter().find(|(k, _)| k.as_str() == l || k.split('-').next() == Some(l))
            && let Some(title) = title
        {
            return (title, summary.as_deref().or(self.summary.as_deref()), key);
        }
        (&self.title, self.summary.as_deref(), &self.lang)
    }
}

/// A document to index, with the id it replaces.
pub struct IndexDoc {
    pub id: Uuid,
    pub doc: TantivyDocument,
}

/// Whether anonymous visitors may see a record, and so whether it belongs in the index.
pub fn is_public(record: &Record) -> bool {
    record.is_public()
}

/// The document of a public record. `organisation` is the name of its organisation, which is
/// searchable with it.
/// `adopted_places`: how many places the record (a practice) is piloted or in use in by adopters.
pub fn record_doc(f: &Fields, record: &Record, organisation: Option<&str>, adopted_places: usize) -> IndexDoc {
    let c = &record.content;
    let mut doc = TantivyDocument::default();
    f.add_id(&mut doc, record.id.0);
    let kind = c.details.kind().as_str();
    let mut translations = BTreeMap::new();

    add_text(&mut doc, f, f.title, f.title_f, &c.title);
    doc.add_text(f.title_prefix, &c.title);
    if let Some(s) = &c.summary {
        add_text(&mut doc, f, f.summary, f.summary_f, s);
    }
    let fields = Details::text_fields(c.details.kind());
    let mut body = String::new();
    for name in fields {
        if let Some(t) = c.details.text(name) {
            push_paragraph(&mut body, t);
        }
    }
    for (lang, tr) in &c.translations {
        if let Some(t) = &tr.title {
            add_text(&mut doc, f, f.title, f.title_f, t);
            doc.add_text(f.title_prefix, t);
        }
        if let Some(s) = &tr.summary {
            add_text(&mut doc, f, f.summary, f.summary_f, s);
        }
        for name in fields {
            if let Some(t) = tr.fields.get(*name) {
                push_paragraph(&mut body, t);
            }
        }
        doc.add_text(f.facet(Facet::Lang), lang.primary());
        translations.insert(lang.as_str().to_string(), (tr.title.clone(), tr.summary.clone()));
    }
    if !body.is_empty() {
        doc.add_text(f.body, &body);
        doc.add_text(f.body_f, &body);
        doc.add_text(f.text_f, &body);
    }

    let mut keywords: Vec<String> = c.themes.iter().map(|t| t.as_str().to_string()).collect();
    keywords.extend(c.places.iter().map(|p| p.name().to_string()));
    if let Some(o) = organisation {
        keywords.push(o.to_string());
    }
    for k in &keywords {
        add_text(&mut doc, f, f.keywords, f.keywords_f, k);
    }

    doc.add_text(f.facet(Facet::Kind), kind);
    if let Some(bucket) = crate::schema::adoption_bucket(adopted_places) {
        doc.add_text(f.facet(Facet::Adopted), bucket);
    }
    doc.add_text(f.facet(Facet::Lang), c.lang.primary());
    let mut countries: Vec<&str> = c.places.iter().map(|p| p.country().code()).collect();
    countries.sort_unstable();
    countries.dedup();
    let mut regions: Vec<&str> = Vec::new();
    for country in c.places.iter().map(|p| p.country()) {
        regions.extend(country.regions().map(|r| r.code()));
    }
    regions.sort_unstable();
    regions.dedup();
    for code in countries {
        doc.add_text(f.facet(Facet::Country), code);
    }
    for code in regions {
        doc.add_text(f.facet(Facet::Region), code);
    }
    let mut sdgs: Vec<&str> = Vec::new();
    for s in &c.sdgs {
        sdgs.push(s.code());
        sdgs.push(s.goal().code());
    }
    sdgs.sort_unstable();
    sdgs.dedup();
    for code in sdgs {
        doc.add_text(f.facet(Facet::Sdg), code);
    }
    let mut sectors: Vec<&str> = Vec::new();
    for s in &c.sectors {
        sectors.push(s.code());
        sectors.push(s.division().code());
    }
    sectors.sort_unstable();
    sectors.dedup();
    for code in sectors {
        doc.add_text(f.facet(Facet::Sector), code);
    }
    if let Some(level) = c.level_of_government {
        doc.add_text(f.facet(Facet::Level), level.as_str());
    }
    for t in &c.innovation_types {
        doc.add_text(f.facet(Facet::Type), t.as_str());
    }
    if let Details::Practice(p) = &c.details {
        if let Some(stage) = p.stage {
            doc.add_text(f.facet(Facet::Stage), stage.as_str());
        }
        if let Some(e) = p.evidence_level {
            doc.add_text(f.facet(Facet::Evidence), e.get().to_string());
        }
    }
    if let Details::Solution(s) = &c.details {
        let mut deployed: Vec<&str> = s.deployments.iter().map(|p| p.country().code()).collect();
        deployed.sort_unstable();
        deployed.dedup();
        for code in deployed {
            doc.add_text(f.facet(Facet::Deployed), code);
        }
    }
    if let Some(o) = c.organisation {
        doc.add_text(f.facet(Facet::Organisation), o.to_string());
    }
    let published = record.published_at.unwrap_or(record.created_at).timestamp();
    doc.add_i64(f.published, published);
    doc.add_i64(f.updated, record.updated_at.timestamp());

    let display = Display {
        kind: kind.to_string(),
        slug: record.slug.as_str().to_string(),
        lang: c.lang.as_str().to_string(),
        title: c.title.clone(),
        summary: c.summary.clone(),
        translations,
    };
    doc.add_text(f.display, serde_json::to_string(&display).expect("display serialises"));
    IndexDoc { id: record.id.0, doc }
}

/// The document of an organisation (every organisation is public: it is a directory entry).
pub fn organisation_doc(f: &Fields, org: &Organisation) -> IndexDoc {
    let o = &org.content;
    let mut doc = TantivyDocument::default();
    f.add_id(&mut doc, org.id.0);
    add_text(&mut doc, f, f.title, f.title_f, &o.name);
    doc.add_text(f.title_prefix, &o.name);
    if let Some(d) = &o.description {
        add_text(&mut doc, f, f.summary, f.summary_f, d);
    }
    let mut keywords = vec![o.org_type.as_str().replace('_', " ")];
    if let Some(c) = o.country {
        keywords.push(c.name().to_string());
        doc.add_text(f.facet(Facet::Country), c.code());
        for r in c.regions() {
            doc.add_text(f.facet(Facet::Region), r.code());
        }
    }
    for k in &keywords {
        add_text(&mut doc, f, f.keywords, f.keywords_f, k);
    }
    doc.add_text(f.facet(Facet::Kind), ORGANISATION);
    if let Some(level) = o.level_of_government {
        doc.add_text(f.facet(Facet::Level), level.as_str());
    }
    doc.add_i64(f.published, org.created_at.timestamp());
    doc.add_i64(f.updated, org.updated_at.timestamp());
    let display = Display {
        kind: ORGANISATION.into(),
        slug: org.slug.as_str().to_string(),
        lang: "en".into(),
        title: o.name.clone(),
        summary: o.description.clone(),
        translations: BTreeMap::new(),
    };
    doc.add_text(f.display, serde_json::to_string(&display).expect("display serialises"));
    IndexDoc { id: org.id.0, doc }
}

/// A text in its plain and folded fields, and in the field of all texts.
fn add_text(doc: &mut TantivyDocument, f: &Fields, plain: Field, folded: Field, text: &str) {
    doc.add_text(plain, text);
    doc.add_text(folded, text);
    doc.add_text(f.text_f, text);
}

fn push_paragraph(body: &mut String, text: &str) {
    if !body.is_empty() {
        body.push_str("\n\n");
    }
    body.push_str(text);
}
