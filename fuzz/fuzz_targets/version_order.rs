//! Version ordering on any three strings: antisymmetric, transitive, and
//! newest-match never panics.

#![no_main]

use std::cmp::Ordering;

use libfuzzer_sys::fuzz_target;
use tool::version::order::{compare, newest_matching};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(3, '\n');
    let (a, b, c) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
    );
    assert_eq!(compare(a, b), compare(b, a).reverse(), "{a:?} vs {b:?}");
    if compare(a, b) != Ordering::Greater && compare(b, c) != Ordering::Greater {
        assert_ne!(compare(a, c), Ordering::Greater, "{a:?} <= {b:?} <= {c:?}");
    }
    let all = vec![a.to_string(), b.to_string(), c.to_string()];
    let _ = newest_matching(&all, Some(a));
});
