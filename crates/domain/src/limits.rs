//! Limits on every string and list a record may hold. Generous for real content, small enough
//! that no single field can exhaust memory, an index or a page.

/// Characters in a title or a name.
pub const TITLE: usize = 200;
/// Characters in a summary.
pub const SUMMARY: usize = 500;
/// Characters in one long text field (problem, solution, results, …).
pub const LONG_TEXT: usize = 20_000;
/// Characters in a short free-text field (a partner's name, a pricing note, an author).
pub const SHORT_TEXT: usize = 300;
/// Characters in a theme tag.
pub const THEME: usize = 60;
/// Characters in a URL.
pub const URL: usize = 2048;
/// Characters in a slug.
pub const SLUG: usize = 80;
/// Characters in an SPDX licence expression.
pub const LICENSE: usize = 200;
/// Characters in a source registry name and key.
pub const SOURCE_REGISTRY: usize = 50;
pub const SOURCE_KEY: usize = 200;

pub const SDGS: usize = 40;
pub const SECTORS: usize = 20;
/// Places: a solution may be deployed in most of the world.
pub const PLACES: usize = 300;
pub const INNOVATION_TYPES: usize = 6;
pub const FACETS: usize = 4;
pub const THEMES: usize = 20;
pub const TRANSLATIONS: usize = 30;
pub const LINKS: usize = 50;
pub const PARTNERS: usize = 50;
pub const AUTHORS: usize = 50;
pub const LANGUAGES: usize = 50;
