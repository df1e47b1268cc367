//! Filters a collection offers whatever its table.

use sea_orm::sea_query::LikeExpr;

/// The character that escapes `%` and `_` in LIKE patterns; not a backslash,
/// which MySQL would also read as a string escape.
const LIKE_ESCAPE: char = '!';

/// The pattern of a case-insensitive substring filter, for a lower-cased
/// column.
pub fn contains(text: &str) -> LikeExpr {
    let mut pattern = String::from("%");
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | LIKE_ESCAPE) {
            pattern.push(LIKE_ESCAPE);
        }
        pattern.push(c);
    }
    pattern.push('%');
    LikeExpr::new(pattern).escape(LIKE_ESCAPE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_wildcards_in_a_filter_match_literally() {
        let pattern = format!("{:?}", contains("50%_off!"));
        assert!(pattern.contains("%50!%!_off!!%"), "{pattern}");
    }
}
