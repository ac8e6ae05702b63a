//! Suggestions of SDG goals and a COFOG sector for a text, so that someone submitting an idea
//! does not have to know the classifications. A transparent keyword table: it explains itself,
//! works offline in several languages, and is only ever a suggestion the person confirms.

use crate::vocab::{Cofog, Sdg};

/// Keywords (lower case, matched as parts of words) and what they suggest.
const RULES: &[(&[&str], &[&str], Option<&str>)] = &[
    (
        &[
            "health",
            "clinic",
            "hospital",
            "patient",
            "doctor",
            "nurse",
            "vaccin",
            "medic",
            "maternal",
            "স্বাস্থ্য",
            "হাসপাতাল",
            "โรงพยาบาล",
            "สุขภาพ",
            "sức khỏe",
            "bệnh viện",
            "kesehatan",
            "puskesmas",
            "स्वास्थ्य",
            "अस्पताल",
        ],
        &["3"],
        Some("07"),
    ),
    (
        &[
            "school",
            "teacher",
            "student",
            "education",
            "learning",
            "literacy",
            "scholarship",
            "শিক্ষা",
            "স্কুল",
            "โรงเรียน",
            "การศึกษา",
            "giáo dục",
            "trường học",
            "pendidikan",
            "sekolah",
            "शिक्षा",
            "विद्यालय",
        ],
        &["4"],
        Some("09"),
    ),
    (
        &["water", "sanitation", "toilet", "sewage", "পানি", "স্যানিটেশন", "น้ำประปา", "nước sạch", "sanitasi"],
        &["6"],
        Some("06"),
    ),
    (
        &[
            "farmer",
            "farm",
            "crop",
            "agricultur",
            "harvest",
            "livestock",
            "fisher",
            "কৃষ",
            "เกษตร",
            "nông dân",
            "nông nghiệp",
            "petani",
            "pertanian",
            "किसान",
            "कृषि",
        ],
        &["2"],
        Some("04"),
    ),
    (
        &["food", "hunger", "nutrition", "stunting", "ration", "খাদ্য", "อาหาร", "gizi", "पोषण", "राशन"],
        &["2"],
        Some("10"),
    ),
    (
        &[
            "poverty",
            "poor",
            "pension",
            "allowance",
            "social protection",
            "cash transfer",
            "welfare",
            "দারিদ্র্য",
            "ভাতা",
            "ความยากจน",
            "nghèo",
            "kemiskinan",
            "गरीबी",
            "पेंशन",
        ],
        &["1"],
        Some("10"),
    ),
    (
        &[
            "job",
            "employment",
            "unemploy",
            "worker",
            "labour",
            "labor",
            "business",
            "permit",
            "licen",
            "enterprise",
            "কর্মসংস্থান",
            "ব্যবসা",
            "การจ้างงาน",
            "việc làm",
            "pekerjaan",
            "रोजगार",
        ],
        &["8"],
        Some("04"),
    ),
    (&["women", "girl", "gender", "mother", "নারী", "ผู้หญิง", "phụ nữ", "perempuan", "महिला"], &["5"], None),
    (
        &[
            "disab",
            "elderly",
            "older people",
            "minority",
            "inclusion",
            "প্রতিবন্ধী",
            "ผู้พิการ",
            "người khuyết tật",
            "disabilitas",
            "दिव्यांग",
        ],
        &["10"],
        Some("10"),
    ),
    (
        &[
            "city",
            "urban",
            "waste",
            "garbage",
            "transport",
            "traffic",
            "road",
            "housing",
            "slum",
            "নগর",
            "বর্জ্য",
            "เมือง",
            "ขยะ",
            "đô thị",
            "rác",
            "sampah",
            "kota",
            "शहर",
            "कचरा",
        ],
        &["11"],
        Some("06"),
    ),
    (
        &[
            "climate",
            "flood",
            "cyclone",
            "drought",
            "disaster",
            "landslide",
            "early warning",
            "emission",
            "বন্যা",
            "ঘূর্ণিঝড়",
            "น้ำท่วม",
            "ภัยพิบัติ",
            "lũ",
            "thiên tai",
            "banjir",
            "bencana",
            "बाढ़",
            "आपदा",
        ],
        &["13"],
        Some("05"),
    ),
    (&["energy", "electric", "solar", "power supply", "বিদ্যুৎ", "ไฟฟ้า", "điện", "listrik", "बिजली"], &["7"], Some("04")),
    (&["forest", "biodiversity", "wildlife", "land degradation", "ป่าไม้", "rừng", "hutan", "वन"], &["15"], Some("05")),
    (&["ocean", "marine", "coast", "fishing", "সমুদ্র", "ทะเล", "biển", "laut", "समुद्र"], &["14"], Some("05")),
    (
        &[
            "land record",
            "land office",
            "mutation",
            "registr",
            "certificate",
            "birth",
            "identity",
            "document",
            "service delivery",
            "one-stop",
            "one stop",
            "queue",
            "visit",
            "office",
            "complaint",
            "grievance",
            "transparen",
            "corruption",
            "court",
            "justice",
            "e-government",
            "digital service",
            "ভূমি",
            "নামজারি",
            "নিবন্ধন",
            "সনদ",
            "ที่ดิน",
            "ทะเบียน",
            "คิว",
            "đất đai",
            "hộ tịch",
            "thủ tục",
            "một cửa",
            "tanah",
            "pendaftaran",
            "antrean",
            "aduan",
            "भूमि",
            "प्रमाण पत्र",
            "शिकायत",
        ],
        &["16"],
        Some("01"),
    ),
    (
        &[
            "budget",
            "tax",
            "revenue",
            "procurement",
            "audit",
            "বাজেট",
            "কর",
            "งบประมาณ",
            "ภาษี",
            "ngân sách",
            "thuế",
            "anggaran",
            "pajak",
            "बजट",
        ],
        &["16", "17"],
        Some("01"),
    ),
    (&["police", "crime", "safety", "fire", "পুলিশ", "ตำรวจ", "công an", "polisi", "पुलिस"], &["16"], Some("03")),
    (
        &[
            "partnership",
            "cooperation",
            "data sharing",
            "open data",
            "statistic",
            "অংশীদার",
            "ความร่วมมือ",
            "hợp tác",
            "kerja sama",
            "साझेदारी",
        ],
        &["17"],
        None,
    ),
];

/// What a text suggests: SDG goals (most likely first) and a COFOG division.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Suggestion {
    pub sdgs: Vec<Sdg>,
    pub sector: Option<Cofog>,
}

/// Suggests goals and a sector for a text in any of the languages the table knows.
pub fn suggest(text: &str) -> Suggestion {
    let text = crate::text::line(text).unwrap_or_default().to_lowercase();
    let mut goals: Vec<(usize, &str)> = Vec::new();
    let mut sectors: Vec<(usize, &str)> = Vec::new();
    for (keywords, sdgs, sector) in RULES {
        let hits = keywords.iter().filter(|k| text.contains(*k)).count();
        if hits == 0 {
            continue;
        }
        for g in *sdgs {
            match goals.iter_mut().find(|(_, code)| code == g) {
                Some(entry) => entry.0 += hits,
                None => goals.push((hits, g)),
            }
        }
        if let Some(s) = sector {
            match sectors.iter_mut().find(|(_, code)| code == s) {
                Some(entry) => entry.0 += hits,
                None => sectors.push((hits, s)),
            }
        }
    }
    // Most hits first; among equals, the table's order.
    goals.sort_by_key(|g| std::cmp::Reverse(g.0));
    sectors.sort_by_key(|s| std::cmp::Reverse(s.0));
    Suggestion {
        sdgs: goals.iter().take(3).filter_map(|(_, g)| Sdg::parse(g).ok()).collect(),
        sector: sectors.first().and_then(|(_, s)| Cofog::parse(s).ok()),
    }
}

#[cfg(test)]
mod tests {
    use super::suggest;

    fn codes(text: &str) -> (Vec<&'static str>, Option<&'static str>) {
        let s = suggest(text);
        (s.sdgs.iter().map(|g| g.code()).collect(), s.sector.map(|c| c.code()))
    }

    #[test]
    fn suggestions_in_several_languages() {
        assert_eq!(codes("Patients queue at the district hospital from dawn"), (vec!["3", "16"], Some("07")));
        assert_eq!(codes("Citizens visit the land office five times for one mutation"), (vec!["16"], Some("01")));
        assert_eq!(codes("বন্যার সতর্কবার্তা কৃষকের কাছে দেরিতে পৌঁছায়"), (vec!["2", "13"], Some("04")));
        assert_eq!(codes("ผู้ป่วยรอคิวที่โรงพยาบาลนาน"), (vec!["3", "16"], Some("07")));
        assert_eq!(codes("Nothing to see"), (vec![], None));
    }
}
