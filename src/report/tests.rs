//! Tests of `report/mod.rs`.

use super::{fill, TEXT_WIDTH};
use proptest::prelude::*;

/// The plain statement of `fill`: the words (split at spaces) put on
/// lines greedily, a line never passing the width unless it holds one
/// word; the lines joined.
fn fill_by_words(first: &str, first_width: usize, text: &str, cont: &str) -> String {
    let width = |s: &str| s.chars().count();
    let mut lines: Vec<Vec<&str>> = vec![Vec::new()];
    let mut used = first_width;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let line_empty = lines.last().is_none_or(|l| l.is_empty());
        if !line_empty && used + 1 + width(word) > TEXT_WIDTH {
            lines.push(Vec::new());
            used = width(cont);
        }
        let line = lines.last_mut().expect("one line at least");
        used += width(word) + usize::from(!line.is_empty());
        line.push(word);
    }
    let body: Vec<String> = lines.iter().map(|l| l.join(" ")).collect();
    format!("{first}{}\n", body.join(&format!("\n{cont}")))
}

#[test]
fn fill_wraps_at_the_width() {
    let text = "The client sent no certificate: ".repeat(8);
    let out = fill("  error [x] ", 12, &text, "    ");
    assert!(out.lines().count() > 2);
    assert!(
        out.lines().all(|l| l.chars().count() <= TEXT_WIDTH),
        "{out}"
    );
    assert_eq!(fill("a ", 2, "", "  "), "a \n");
    assert_eq!(fill("", 0, "  two  spaces ", ""), "two spaces\n");
}

proptest! {
    #[test]
    fn fill_matches_its_statement(
        text in "([a-zé✓ ]{0,12} ?){0,40}",
        first_width in 0usize..120,
    ) {
        prop_assert_eq!(
            fill("> ", first_width, &text, "  ~ "),
            fill_by_words("> ", first_width, &text, "  ~ ")
        );
    }
}
