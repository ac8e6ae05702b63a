//! OAI-PMH requests: the arguments of a GET query or a POST form, checked as the protocol
//! says (section 3.1): the verb, which arguments it requires, allows or forbids, dates of one
//! granularity, and resumption tokens that stand alone.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use super::{Format, OaiError, Set};

/// A date argument and the granularity it was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub at: DateTime<Utc>,
    /// Written as a day (`2026-11-25`), not a second.
    pub day: bool,
}

impl Stamp {
    pub fn parse(s: &str) -> Option<Stamp> {
        if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d")
            && s.len() == 10
        {
            return Some(Stamp { at: d.and_hms_opt(0, 0, 0)?.and_utc(), day: true });
        }
        if s.len() == 20
            && let Ok(t) = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%SZ")
        {
            return Some(Stamp { at: t.and_utc(), day: false });
        }
        None
    }

    /// The first instant after the span this stamp names (a day, or a second): `until` is
    /// inclusive.
    pub fn end(&self) -> DateTime<Utc> {
        self.at + if self.day { chrono::Duration::days(1) } else { chrono::Duration::seconds(1) }
    }
}

/// The selection of a list request.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    pub format: Format,
    pub from: Option<Stamp>,
    pub until: Option<Stamp>,
    pub set: Option<Set>,
}

/// A request, as understood.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    Identify,
    ListMetadataFormats { identifier: Option<String> },
    ListSets { token: Option<String> },
    ListIdentifiers(List),
    ListRecords(List),
    GetRecord { identifier: String, format: Format },
}

/// A list request: a new selection, or the continuation of one.
#[derive(Debug, Clone, PartialEq)]
pub enum List {
    New(Selection),
    Resume(String),
}

impl Request {
    pub fn verb(&self) -> &'static str {
        match self {
            Request::Identify => "Identify",
            Request::ListMetadataFormats { .. } => "ListMetadataFormats",
            Request::ListSets { .. } => "ListSets",
            Request::ListIdentifiers(_) => "ListIdentifiers",
            Request::ListRecords(_) => "ListRecords",
            Request::GetRecord { .. } => "GetRecord",
        }
    }

    /// Reads the arguments (`name`, `value` pairs, as they came). The error names the
    /// protocol's code.
    pub fn parse(args: &[(String, String)]) -> Result<Request, OaiError> {
        let mut seen: Vec<&str> = Vec::new();
        for (k, _) in args {
            if seen.contains(&k.as_str()) {
                return Err(if k == "verb" {
                    OaiError::BadVerb("the verb is given more than once".into())
                } else {
                    OaiError::BadArgument(format!("{k} is given more than once"))
                });
            }
            seen.push(k);
        }
        let get = |name: &str| args.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        let verb = get("verb").ok_or_else(|| OaiError::BadVerb("the verb is missing".into()))?;
        let allowed: &[&str] = match verb {
            "Identify" => &[],
            "ListMetadataFormats" => &["identifier"],
            "ListSets" => &["resumptionToken"],
            "ListIdentifiers" | "ListRecords" => &["metadataPrefix", "from", "until", "set", "resumptionToken"],
            "GetRecord" => &["identifier", "metadataPrefix"],
            other => return Err(OaiError::BadVerb(format!("{other:?} is not an OAI-PMH verb"))),
        };
        for (k, _) in args {
            if k != "verb" && !allowed.contains(&k.as_str()) {
                return Err(OaiError::BadArgument(format!("{k} is not an argument of {verb}")));
            }
        }
        let format = |required: bool| -> Result<Option<Format>, OaiError> {
            match get("metadataPrefix") {
                Some(p) => Format::parse(p).map(Some).ok_or_else(|| {
                    OaiError::CannotDisseminateFormat(format!("{p:?} is not a format of this repository"))
                }),
                None if required => Err(OaiError::BadArgument("metadataPrefix is required".into())),
                None => Ok(None),
            }
        };
        Ok(match verb {
            "Identify" => Request::Identify,
            "ListMetadataFormats" => Request::ListMetadataFormats { identifier: get("identifier").map(str::to_string) },
            "ListSets" => Request::ListSets { token: get("resumptionToken").map(str::to_string) },
            "GetRecord" => {
                let identifier =
                    get("identifier").ok_or_else(|| OaiError::BadArgument("identifier is required".into()))?;
                let format = format(true)?.expect("required");
                Request::GetRecord { identifier: identifier.to_string(), format }
            }
            _ => {
                let list = if let Some(token) = get("resumptionToken") {
                    if args.len() > 2 {
                        return Err(OaiError::BadArgument("resumptionToken is an exclusive argument".into()));
                    }
                    List::Resume(token.to_string())
                } else {
                    let stamp = |name: &str| -> Result<Option<Stamp>, OaiError> {
                        get(name)
                            .map(|v| {
                                Stamp::parse(v).ok_or_else(|| {
                                    OaiError::BadArgument(format!(
                                        "{name} {v:?} is not a date as YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ"
                                    ))
                                })
                            })
                            .transpose()
                    };
                    let (from, until) = (stamp("from")?, stamp("until")?);
                    if let (Some(f), Some(u)) = (from, until) {
                        if f.day != u.day {
                            return Err(OaiError::BadArgument("from and until have different granularities".into()));
                        }
                        if f.at > u.at {
                            return Err(OaiError::BadArgument("from is later than until".into()));
                        }
                    }
                    let set = get("set")
                        .map(|s| Set::parse(s).ok_or_else(|| OaiError::BadArgument(format!("{s:?} is not a set here"))))
                        .transpose()?;
                    let format = format(true)?.expect("required");
                    List::New(Selection { format, from, until, set })
                };
                if verb == "ListRecords" { Request::ListRecords(list) } else { Request::ListIdentifiers(list) }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(q: &str) -> Result<Request, OaiError> {
        let args: Vec<(String, String)> =
            url::form_urlencoded::parse(q.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        Request::parse(&args)
    }

    fn code(q: &str) -> &'static str {
        parse(q).unwrap_err().code()
    }

    #[test]
    fn requests_are_checked_as_the_protocol_says() {
        assert_eq!(parse("verb=Identify").unwrap(), Request::Identify);
        assert_eq!(code(""), "badVerb");
        assert_eq!(code("verb=Harvest"), "badVerb");
        assert_eq!(code("verb=Identify&verb=Identify"), "badVerb");
        assert_eq!(code("verb=Identify&set=x"), "badArgument");
        assert_eq!(code("verb=ListRecords"), "badArgument");
        assert_eq!(code("verb=ListRecords&metadataPrefix=marc21"), "cannotDisseminateFormat");
        assert_eq!(
            code("verb=ListRecords&metadataPrefix=oai_dc&from=2026-01-01&until=2026-01-02T00:00:00Z"),
            "badArgument"
        );
        assert_eq!(code("verb=ListRecords&metadataPrefix=oai_dc&from=2026-02-01&until=2026-01-01"), "badArgument");
        assert_eq!(code("verb=ListRecords&metadataPrefix=oai_dc&from=2026-13-01"), "badArgument");
        assert_eq!(code("verb=ListRecords&metadataPrefix=oai_dc&from=2026-01-01T00:00:00"), "badArgument");
        assert_eq!(code("verb=ListRecords&resumptionToken=abc&metadataPrefix=oai_dc"), "badArgument");
        assert_eq!(code("verb=ListIdentifiers&metadataPrefix=oai_dc&set=colour:red"), "badArgument");
        assert_eq!(code("verb=GetRecord&metadataPrefix=oai_dc"), "badArgument");
        let Request::ListRecords(List::New(s)) =
            parse("verb=ListRecords&metadataPrefix=banyan&from=2026-01-01&until=2026-01-31&set=country:BD").unwrap()
        else {
            panic!()
        };
        assert_eq!(s.format, Format::Banyan);
        assert_eq!(s.until.unwrap().end().to_rfc3339(), "2026-02-01T00:00:00+00:00", "until takes in its whole day");
        assert_eq!(s.set, Some(Set::Country(banyan_domain::CountryCode::parse("BD").unwrap())));
        assert_eq!(
            parse("verb=ListIdentifiers&resumptionToken=xyz").unwrap(),
            Request::ListIdentifiers(List::Resume("xyz".into()))
        );
    }
}
