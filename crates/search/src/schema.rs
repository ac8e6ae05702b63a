//! The index's fields.

use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use crate::analysis;

/// Bumped whenever the fields or their analysis change: an index of another version is rebuilt.
/// 4: the id also in two fast fields.
pub const SCHEMA_VERSION: u32 = 4;

/// The columns of the id's high and low 64 bits.
pub(crate) const ID_HIGH: &str = "id_high";
pub(crate) const ID_LOW: &str = "id_low";

/// A dimension search results can be filtered and counted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Facet {
    Kind,
    Country,
    Region,
    Sdg,
    Sector,
    Level,
    Stage,
    Type,
    Evidence,
    Organisation,
    Lang,
    /// How many places adopters pilot or use a practice in: `1`, `2-4`, `5-or-more` (see
    /// [`adoption_bucket`]).
    Adopted,
    /// The countries a solution is deployed in.
    Deployed,
}

impl Facet {
    pub const ALL: [Facet; 13] = [
        Facet::Kind,
        Facet::Country,
        Facet::Region,
        Facet::Sdg,
        Facet::Sector,
        Facet::Level,
        Facet::Stage,
        Facet::Type,
        Facet::Evidence,
        Facet::Organisation,
        Facet::Lang,
        Facet::Adopted,
        Facet::Deployed,
    ];

    /// The name in the index, the query string and the response.
    pub fn name(self) -> &'static str {
        match self {
            Facet::Kind => "kind",
            Facet::Country => "country",
            Facet::Region => "region",
            Facet::Sdg => "sdg",
            Facet::Sector => "sector",
            Facet::Level => "level",
            Facet::Stage => "stage",
            Facet::Type => "type",
            Facet::Evidence => "evidence",
            Facet::Organisation => "organisation",
            Facet::Lang => "lang",
            Facet::Adopted => "adopted",
            Facet::Deployed => "deployed",
        }
    }

    pub fn parse(name: &str) -> Option<Facet> {
        Facet::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Whether a value is counted in the facet. SDG targets (`3.8`) and COFOG groups (`07.2`)
    /// are indexed so that filters on them work, but counts are by goal and by division.
    pub fn counts(self, value: &str) -> bool {
        match self {
            Facet::Sdg | Facet::Sector => !value.contains('.'),
            _ => true,
        }
    }
}

/// The values of [`Facet::Adopted`], fewest places first.
pub const ADOPTION_BUCKETS: [&str; 3] = ["1", "2-4", "5-or-more"];

/// The bucket of a practice adopted in `places` places; none for none.
pub fn adoption_bucket(places: usize) -> Option<&'static str> {
    match places {
        0 => None,
        1 => Some(ADOPTION_BUCKETS[0]),
        2..=4 => Some(ADOPTION_BUCKETS[1]),
        _ => Some(ADOPTION_BUCKETS[2]),
    }
}

/// Handles to every field.
#[derive(Debug, Clone)]
pub struct Fields {
    pub id: Field,
    /// The id's 128 bits as two numbers, each read in constant time from its column, so that the
    /// ids of many documents are read without their stored text (see [`Fields::add_id`]).
    pub id_high: Field,
    pub id_low: Field,
    /// Stored JSON with what a hit shows: slug, language, titles and summaries by language.
    pub display: Field,
    /// The searchable texts, analysed plainly (for exact words and phrases) and folded (for
    /// words without their diacritics, and stems).
    pub title: Field,
    pub summary: Field,
    pub body: Field,
    pub keywords: Field,
    pub title_f: Field,
    pub summary_f: Field,
    pub body_f: Field,
    pub keywords_f: Field,
    /// Every text of a document folded into one field (titles, summaries, keywords, body, and
    /// their translations), with frequencies but no positions: one posting list per word rather
    /// than four, where a record's distinctive words are looked for (similar records, matching,
    /// duplicates), where a search's words are counted (totals and facets), and where a word is
    /// found known before it is allowed a typo.
    pub text_f: Field,
    /// Titles folded but not stemmed, for type-ahead on word prefixes.
    pub title_prefix: Field,
    pub published: Field,
    pub updated: Field,
    facets: Vec<(Facet, Field)>,
}

impl Fields {
    /// Adds `id` to `doc`: as text, to find the document by, and as the two numbers of its
    /// columns.
    pub fn add_id(&self, doc: &mut tantivy::TantivyDocument, id: uuid::Uuid) {
        let (high, low) = id.as_u64_pair();
        doc.add_text(self.id, id.to_string());
        doc.add_u64(self.id_high, high);
        doc.add_u64(self.id_low, low);
    }

    pub fn facet(&self, facet: Facet) -> Field {
        self.facets.iter().find(|(f, _)| *f == facet).map(|(_, field)| *field).expect("every facet has a field")
    }
}

/// The plain and folded pairs of the text fields, with their weights.
pub fn weighted(fields: &Fields) -> [(Field, Field, f32); 4] {
    [
        (fields.title, fields.title_f, 3.0),
        (fields.summary, fields.summary_f, 2.0),
        (fields.keywords, fields.keywords_f, 1.5),
        (fields.body, fields.body_f, 1.0),
    ]
}

pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |analyzer: &str, stored: bool| {
        let o = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(analyzer)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        if stored { o.set_stored() } else { o }
    };
    let id = b.add_text_field("id", STRING | STORED);
    let (id_high, id_low) = (b.add_u64_field(ID_HIGH, FAST), b.add_u64_field(ID_LOW, FAST));
    let display = b.add_text_field("display", STORED);
    let title = b.add_text_field("title", text(analysis::PLAIN, false));
    let summary = b.add_text_field("summary", text(analysis::PLAIN, false));
    let body = b.add_text_field("body", text(analysis::PLAIN, true));
    let keywords = b.add_text_field("keywords", text(analysis::PLAIN, false));
    let title_f = b.add_text_field("title_f", text(analysis::FOLDED, false));
    let summary_f = b.add_text_field("summary_f", text(analysis::FOLDED, false));
    let body_f = b.add_text_field("body_f", text(analysis::FOLDED, false));
    let keywords_f = b.add_text_field("keywords_f", text(analysis::FOLDED, false));
    let text_f = b.add_text_field(
        "text_f",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default().set_tokenizer(analysis::FOLDED).set_index_option(IndexRecordOption::WithFreqs),
        ),
    );
    let title_prefix = b.add_text_field(
        "title_prefix",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default().set_tokenizer(analysis::PREFIX).set_index_option(IndexRecordOption::Basic),
        ),
    );
    let published = b.add_i64_field("published", INDEXED | FAST);
    let updated = b.add_i64_field("updated", FAST);
    let facets = Facet::ALL.iter().map(|f| (*f, b.add_text_field(f.name(), STRING | FAST))).collect();
    let schema = b.build();
    (
        schema,
        Fields {
            id,
            id_high,
            id_low,
            display,
            title,
            summary,
            body,
            keywords,
            title_f,
            summary_f,
            body_f,
            keywords_f,
            text_f,
            title_prefix,
            published,
            updated,
            facets,
        },
    )
}
