use super::*;
use std::collections::BTreeMap;

#[test]
fn wire_codes_repeat_only_across_different_rules() {
    let mut by_code: BTreeMap<&str, Vec<ErrorCode>> = BTreeMap::new();
    for c in ErrorCode::ALL {
        by_code.entry(c.as_str()).or_default().push(*c);
    }
    for (code, variants) in by_code {
        let mut rules: Vec<Option<RuleId>> = variants.iter().map(|v| v.rule()).collect();
        rules.dedup();
        assert_eq!(
            rules.len(),
            variants.len(),
            "{code} is shared by {variants:?} with one rule"
        );
    }
}

#[test]
fn every_code_is_snake_case_and_every_text_names_its_rule_when_it_has_one() {
    for c in ErrorCode::ALL {
        assert!(
            c.as_str()
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'_'),
            "{c}"
        );
        if let Some(rule) = c.rule().filter(|r| r.is_numbered()) {
            for t in c.texts() {
                let prefix = format!("{}: ", rule.as_str());
                assert!(
                    t.vi.starts_with(&prefix) && t.en.starts_with(&prefix),
                    "{c}: {t:?}"
                );
            }
        }
    }
}

#[test]
fn both_languages_of_a_text_have_the_same_placeholders() {
    for c in ErrorCode::ALL {
        for t in c.texts() {
            let (mut vi, mut en) = (placeholders(t.vi), placeholders(t.en));
            vi.sort();
            en.sort();
            assert_eq!(vi, en, "{c}: {t:?}");
        }
    }
}
