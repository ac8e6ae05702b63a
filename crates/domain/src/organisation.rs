//! Organisations: government bodies, innovation units, startups, NGOs, universities and
//! international bodies.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ids::OrganisationId;
use crate::limits;
use crate::record::Source;
use crate::validate::{Checker, Path, Violations};
use crate::values::{Slug, WebUrl};
use crate::vocab::{CountryCode, Level, OrgType};

/// What an organisation's editors write about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganisationInput {
    pub name: String,
    #[serde(rename = "type")]
    pub org_type: OrgType,
    /// For government bodies and innovation units.
    pub level_of_government: Option<Level>,
    pub country: Option<CountryCode>,
    pub website: Option<WebUrl>,
    pub description: Option<String>,
    pub source: Option<Source>,
}

/// An organisation as stored and served.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Organisation {
    pub id: OrganisationId,
    pub slug: Slug,
    #[serde(flatten)]
    pub content: OrganisationInput,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl OrganisationInput {
    pub fn from_json(v: &Value) -> Result<OrganisationInput, Violations> {
        let mut c = Checker::new();
        let mut o = c.object(Path::root(), v);
        for key in ["id", "slug", "version", "created_at", "updated_at"] {
            c.forbid(&mut o, key, &format!("{key} is set by Banyan and cannot be given"));
        }
        let name = c.required_line(&mut o, "name", limits::TITLE);
        let org_type = c.parsed(&mut o, "type", OrgType::parse);
        if org_type.is_none() && !o.has("type") {
            c.report(
                &o.path("type"),
                "required",
                "is required: government, innovation_unit, startup, company, ngo, academic, international or other",
            );
        }
        let level_of_government = c.parsed(&mut o, "level_of_government", Level::parse);
        if level_of_government.is_some()
            && org_type.is_some_and(|t| !matches!(t, OrgType::Government | OrgType::InnovationUnit))
        {
            c.report(
                &o.path("level_of_government"),
                "invalid_value",
                "applies only to government bodies and innovation units",
            );
        }
        let country = c.parsed(&mut o, "country", CountryCode::parse);
        let website = c.parsed(&mut o, "website", WebUrl::parse);
        let description = c.block(&mut o, "description", limits::SUMMARY * 4);
        let source = c.nested(&mut o, "source", |c, o| {
            // Reuse the record's source rules by reading through a record-shaped wrapper.
            let registry = c.required_line(o, "registry", limits::SOURCE_REGISTRY);
            let key = c.required_line(o, "key", limits::SOURCE_KEY);
            let url = c.parsed(o, "url", WebUrl::parse);
            let status = c.line(o, "status", limits::SOURCE_REGISTRY);
            Source { registry, key, url, status }
        });
        c.done(o);
        c.finish(OrganisationInput {
            name,
            org_type: org_type.unwrap_or(OrgType::Other),
            level_of_government,
            country,
            website,
            description,
            source,
        })
    }

    /// The key under which two spellings of one organisation's name are the same
    /// ("UNICEF", " unicef "): lower case, single spaces.
    pub fn name_key(name: &str) -> String {
        crate::text::line(name).unwrap_or_default().to_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_organisation_is_read_and_checked() {
        let org = OrganisationInput::from_json(&json!({
            "name": " Aspire to Innovate (a2i) ",
            "type": "innovation_unit",
            "level_of_government": "national",
            "country": "BD",
            "website": "https://a2i.gov.bd"
        }))
        .unwrap();
        assert_eq!(org.name, "Aspire to Innovate (a2i)");
        assert_eq!(OrganisationInput::name_key("  UNICEF  Office "), "unicef office");

        let err = OrganisationInput::from_json(&json!({
            "type": "startup", "level_of_government": "district", "country": "XX", "website": "ftp://x", "id": "x"
        }))
        .unwrap_err();
        assert_eq!(err.fields(), ["id", "name", "level_of_government", "country", "website"]);
    }
}
