//! Reading a collection: one page of it, in an order. The domain reads
//! pages and sort keys; the HTTP layer parses them from query parameters.

pub mod filter;
pub mod keyset;
pub mod total;

/// One page of a collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// Counted from 1.
    pub number: u64,
    pub size: u64,
}

/// Why a page cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageError {
    /// The number is not from 1 to [`Page::MAX_NUMBER`].
    Number,
    /// The size is not from 1 to [`Page::MAX_SIZE`].
    Size,
}

impl Page {
    pub const DEFAULT_SIZE: u64 = 20;
    pub const MAX_SIZE: u64 = 100;
    /// The highest page number: 10^15, a round number the OpenAPI document, whose
    /// `maximum` is a JSON number many clients read as a double, states
    /// exactly, and small enough that the offset of its last item fits in an i64.
    pub const MAX_NUMBER: u64 = 1_000_000_000_000_000;

    /// The page asked for. The ranges are checked here whatever checked
    /// them before, so that no caller can build a page that overflows.
    pub fn new(number: Option<u64>, size: Option<u64>) -> Result<Self, PageError> {
        let number = number.unwrap_or(1);
        let size = size.unwrap_or(Self::DEFAULT_SIZE);
        if !(1..=Self::MAX_NUMBER).contains(&number) {
            return Err(PageError::Number);
        }
        if !(1..=Self::MAX_SIZE).contains(&size) {
            return Err(PageError::Size);
        }
        Ok(Self { number, size })
    }

    pub fn offset(&self) -> u64 {
        (self.number - 1) * self.size
    }

    /// The number of the last page of `total` items; 1 when there are none.
    pub fn last_number(&self, total: u64) -> u64 {
        total.div_ceil(self.size).max(1)
    }
}

/// One field of a sort order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortKey<F> {
    pub field: F,
    pub descending: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_defaults_to_the_first_twenty() {
        let page = Page::new(None, None).unwrap();
        assert_eq!((page.number, page.size, page.offset()), (1, 20, 0));
    }

    #[test]
    fn page_sizes_outside_one_to_a_hundred_are_refused() {
        assert!(Page::new(None, Some(0)).is_err());
        assert!(Page::new(None, Some(101)).is_err());
        assert!(Page::new(None, Some(100)).is_ok());
    }

    #[test]
    fn page_numbers_from_one_to_the_maximum_are_accepted_and_their_offsets_fit_in_i64() {
        assert!(Page::new(Some(0), None).is_err());
        assert!(Page::new(Some(Page::MAX_NUMBER + 1), None).is_err());
        let last = Page::new(Some(Page::MAX_NUMBER), Some(Page::MAX_SIZE)).unwrap();
        assert!(i64::try_from(last.offset()).is_ok());
        // The document's maximum is read as a double: it must be exact.
        assert_eq!(Page::MAX_NUMBER as f64 as u64, Page::MAX_NUMBER);
    }

    #[test]
    fn the_last_page_of_an_empty_collection_is_the_first() {
        let page = Page::new(Some(1), Some(10)).unwrap();
        assert_eq!(page.last_number(0), 1);
        assert_eq!(page.last_number(10), 1);
        assert_eq!(page.last_number(11), 2);
    }
}
