//! Every word the linter says, in zh-CN and English, in one place. Messages are built
//! here from data (the category, the law, the numbers), so rules never hold prose.

use fanloop_domain::{Locale, Platform};

/// Picks the zh-CN or English text.
fn pick(lang: Locale, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Locale::ZhCn => zh,
        Locale::En => en,
    }
}

/// The statute a finding cites. Keys are what the dictionaries' headers name.
const LAWS: &[(&str, &str, &str)] = &[
    (
        "ad-9-2",
        "《广告法》第九条第（二）项",
        "Advertising Law Art. 9(2)",
    ),
    (
        "ad-9-3",
        "《广告法》第九条第（三）项",
        "Advertising Law Art. 9(3)",
    ),
    ("ad-17", "《广告法》第十七条", "Advertising Law Art. 17"),
    ("ad-18", "《广告法》第十八条", "Advertising Law Art. 18"),
    ("ad-28", "《广告法》第二十八条", "Advertising Law Art. 28"),
    (
        "trademark-14",
        "《商标法》第十四条",
        "Trademark Law Art. 14",
    ),
    (
        "cosmetics-naming",
        "《化妆品命名规定》",
        "NMPA cosmetics naming rules",
    ),
];

/// Whether `key` names a known statute (or is `-`, none).
pub(crate) fn is_law(key: &str) -> bool {
    key == "-" || LAWS.iter().any(|(k, _, _)| *k == key)
}

fn law(key: &str, lang: Locale) -> Option<&'static str> {
    LAWS.iter()
        .find(|(k, _, _)| *k == key)
        .map(|(_, zh, en)| pick(lang, zh, en))
}

/// What a dictionary category means and what to do instead:
/// (category, zh what, en what, zh suggestion, en suggestion).
const CATEGORIES: &[(&str, &str, &str, &str, &str)] = &[
    (
        "superlative",
        "绝对化用语",
        "an absolute superlative",
        "删除或改为可证明的具体描述（如实测数据、用户评价）",
        "Remove it or state something provable (a measured figure, a customer quote)",
    ),
    (
        "first-only",
        "“第一/唯一”类排名用语",
        "a first/only ranking claim",
        "删除，或写明具体榜单名称、时间和来源",
        "Remove it, or name the ranking, its date and its source",
    ),
    (
        "grade",
        "“级/极”类等级用语",
        "a grade claim (级/极)",
        "删除，或改为客观描述产品特点",
        "Remove it or describe the product's actual features",
    ),
    (
        "brand-status",
        "品牌地位用语",
        "a brand-status claim",
        "删除，或改为可证明的事实（如获奖名称与年份）",
        "Remove it or state a provable fact (an award and its year)",
    ),
    (
        "unprovable",
        "无法证实的断言",
        "an unprovable claim",
        "删除，或改为有检测报告支持的表述",
        "Remove it or use wording backed by a test report",
    ),
    (
        "authority",
        "借用权威或国家机关名义",
        "a borrowed-authority claim",
        "删除，不得暗示国家机关或领导人背书",
        "Remove it; do not imply endorsement by the state or its officials",
    ),
    (
        "inducement",
        "诱导性用语",
        "an inducement to buy",
        "改为说明优惠内容本身",
        "Describe the offer itself instead",
    ),
    (
        "lure",
        "中奖诱导用语（易被判为诈骗）",
        "a prize lure (reads as a scam)",
        "删除；如有抽奖，写明规则、时间与主办方",
        "Remove it; if there is a draw, state its rules, dates and organiser",
    ),
    (
        "urgency",
        "制造虚假紧迫感的用语",
        "false urgency",
        "写明活动的具体起止时间",
        "State the offer's exact start and end dates",
    ),
    (
        "undated",
        "未写明期限的限时用语",
        "a time-limited offer without dates",
        "在附近写明具体日期，如“3月8日—3月10日”",
        "Give the dates next to it, e.g. “8–10 March”",
    ),
    (
        "clickbait",
        "标题党用语",
        "a clickbait phrase",
        "改为概括内容的标题",
        "Use a title that summarises the content",
    ),
    (
        "efficacy",
        "化妆品禁用的功效用语",
        "an efficacy claim cosmetics may not make",
        "删除，或改为经功效评价支持的具体功效",
        "Remove it or name a specific, evaluated effect",
    ),
    (
        "medical",
        "医疗用语",
        "a medical claim",
        "非医疗广告不得宣传疗效，请删除",
        "Only medical ads may claim treatment; remove it",
    ),
    (
        "implied-medical",
        "暗示医疗作用的用语",
        "an implied medical effect",
        "删除，或改为化妆品可宣称的功效（如清洁、保湿）",
        "Remove it or use a cosmetic claim (cleansing, moisturising)",
    ),
    (
        "famous-physician",
        "借用名医名义",
        "a famous physician's name",
        "删除",
        "Remove it",
    ),
    (
        "disease",
        "涉及疾病预防或治疗",
        "a disease prevention or treatment claim",
        "保健食品不得宣称治病，请删除",
        "Health food may not claim to treat disease; remove it",
    ),
    (
        "guarantee",
        "功效或安全性保证",
        "a guarantee of efficacy or safety",
        "删除保证性表述",
        "Remove the guarantee",
    ),
    (
        "necessity",
        "声称为健康所必需",
        "a claim that it is necessary for health",
        "删除",
        "Remove it",
    ),
];

fn category(
    key: &str,
) -> Option<&'static (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
)> {
    CATEGORIES.iter().find(|c| c.0 == key)
}

/// Whether a dictionary header's category has words here.
pub(crate) fn is_category(key: &str) -> bool {
    category(key).is_some()
}

/// Message and suggestion for a dictionary term. An error says the term breaks the
/// law; a warning, whose term is only risky in some contexts, says it may.
pub(crate) fn term(
    category_key: &str,
    law_key: &str,
    text: &str,
    certain: bool,
    lang: Locale,
) -> (String, String) {
    let Some(&(_, zh, en, zh_fix, en_fix)) = category(category_key) else {
        return (String::new(), String::new());
    };
    let message = match (lang, law(law_key, lang), certain) {
        (Locale::ZhCn, Some(cite), true) => format!("「{text}」属于{zh}，违反{cite}"),
        (Locale::ZhCn, Some(cite), false) => format!("「{text}」可能属于{zh}，参见{cite}"),
        (Locale::ZhCn, None, _) => format!("「{text}」属于{zh}"),
        (Locale::En, Some(cite), true) => format!("“{text}” is {en}, forbidden by {cite}"),
        (Locale::En, Some(cite), false) => format!("“{text}” may be {en} (see {cite})"),
        (Locale::En, None, _) => format!("“{text}” is {en}"),
    };
    (message, pick(lang, zh_fix, en_fix).to_owned())
}

/// A workspace-banned word.
pub(crate) fn banned(text: &str, lang: Locale) -> (String, String) {
    match lang {
        Locale::ZhCn => (
            format!("「{text}」在本工作区的禁用词表中"),
            "删除或改写".to_owned(),
        ),
        Locale::En => (
            format!("“{text}” is on this workspace's banned list"),
            "Remove or rephrase it".to_owned(),
        ),
    }
}

/// A word the brand voice replaces with another.
pub(crate) fn preferred(text: &str, replacement: &str, lang: Locale) -> (String, String) {
    match lang {
        Locale::ZhCn => (
            format!("本工作区用「{replacement}」而不是「{text}」"),
            format!("改为「{replacement}」"),
        ),
        Locale::En => (
            format!("This workspace writes “{replacement}”, not “{text}”"),
            format!("Use “{replacement}”"),
        ),
    }
}

/// Which part of the post a length finding is about.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Part {
    Title,
    Body,
}

pub(crate) fn too_long(
    part: Part,
    platform: Platform,
    length: usize,
    max: usize,
    lang: Locale,
) -> (String, String) {
    let name = platform.label(lang);
    match (lang, part) {
        (Locale::ZhCn, Part::Title) => (
            format!("标题 {length} 字，超过{name}的上限 {max} 字"),
            format!("删减到 {max} 字以内；超出部分已标出"),
        ),
        (Locale::ZhCn, Part::Body) => (
            format!("正文 {length} 字，超过{name}的上限 {max} 字"),
            format!("删减到 {max} 字以内，或拆成多篇；超出部分已标出"),
        ),
        (Locale::En, Part::Title) => (
            format!("The title is {length} characters; {name} allows {max}"),
            format!("Cut it to {max}; the excess is marked"),
        ),
        (Locale::En, Part::Body) => (
            format!("The body is {length} characters; {name} allows {max}"),
            format!("Cut it to {max} or split the post; the excess is marked"),
        ),
    }
}

pub(crate) fn folded(platform: Platform, fold_at: usize, lang: Locale) -> (String, String) {
    let name = platform.label(lang);
    match lang {
        Locale::ZhCn => (
            format!("{name}信息流只显示前 {fold_at} 字，其余折叠在“展开全文”后"),
            "把最重要的信息放在前面".to_owned(),
        ),
        Locale::En => (
            format!("{name} feeds show the first {fold_at} characters and fold the rest"),
            "Put what matters most first".to_owned(),
        ),
    }
}

pub(crate) fn hashtags(
    platform: Platform,
    count: usize,
    max: usize,
    lang: Locale,
) -> (String, String) {
    let name = platform.label(lang);
    match lang {
        Locale::ZhCn => (
            format!("共 {count} 个话题标签，{name}最多 {max} 个"),
            format!("保留最相关的 {max} 个"),
        ),
        Locale::En => (
            format!("{count} hashtags; {name} allows {max}"),
            format!("Keep the {max} most relevant"),
        ),
    }
}

pub(crate) fn cover(platform: Platform, lang: Locale) -> (String, String) {
    let name = platform.label(lang);
    match lang {
        Locale::ZhCn => (
            format!("{name}需要封面图"),
            "上传封面并按平台比例裁剪".to_owned(),
        ),
        Locale::En => (
            format!("{name} needs a cover image"),
            "Add a cover cropped to the platform's ratio".to_owned(),
        ),
    }
}

pub(crate) fn images(
    platform: Platform,
    count: usize,
    max: usize,
    lang: Locale,
) -> (String, String) {
    let name = platform.label(lang);
    match lang {
        Locale::ZhCn => (
            format!("共 {count} 张图片，{name}最多 {max} 张"),
            format!("删减到 {max} 张以内"),
        ),
        Locale::En => (
            format!("{count} images; {name} allows {max}"),
            format!("Keep at most {max}"),
        ),
    }
}

pub(crate) fn external_link(platform: Platform, lang: Locale) -> (String, String) {
    let name = platform.label(lang);
    match lang {
        Locale::ZhCn => (
            format!("{name}正文中的外部链接无法点击"),
            "排版时会转为文末脚注；重要链接可改用“阅读原文”".to_owned(),
        ),
        Locale::En => (
            format!("External links are not clickable on {name}"),
            "Typesetting turns them into numbered footnotes; put the key link in “Read more”"
                .to_owned(),
        ),
    }
}

/// The closing line of a report: how many findings of each severity.
pub fn summary(errors: usize, warnings: usize, infos: usize, lang: Locale) -> String {
    match lang {
        Locale::ZhCn => format!("{errors} 个错误，{warnings} 个警告，{infos} 条提示"),
        Locale::En => format!("{errors} error(s), {warnings} warning(s), {infos} note(s)"),
    }
}
