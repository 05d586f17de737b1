use super::*;

#[test]
fn escape_markup_and_quotes() {
    assert_eq!(
        escape("<script>alert('x')</script> & \"y\""),
        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;"
    );
}

#[test]
fn escape_controls_and_bidi_overrides() {
    assert_eq!(escape("a\u{0}b\u{1b}[31m"), "a\u{FFFD}b\u{FFFD}[31m");
    assert_eq!(escape("evil\u{202E}moc.test"), "evil\u{FFFD}moc.test");
}

#[test]
fn clip_counts_characters() {
    assert_eq!(clip("ééééé", 5), "ééééé");
    assert_eq!(clip("ééééé", 3), "éé…");
}

#[test]
fn prose_turns_backquotes_into_code() {
    assert_eq!(prose("run `a<b` now"), "run <code>a&lt;b</code> now");
}
