//! Keyset pages of any table: the items next to a position in an order,
//! with no offset to count past, and neither skipping nor repeating items
//! when others are added or removed meanwhile. A position is the sort-key
//! values of the item next to it, which a cursor carries. The position is
//! an `OR` of comparisons, which PostgreSQL applies as a filter on the
//! index scan rather than as its start: deep pages of a multi-key order
//! still read the index up to the position (docs/performance.md).

use sea_orm::{
    ColumnTrait, EntityTrait, Order, QueryFilter, QueryOrder, QuerySelect, Select, Value,
    sea_query::{Condition, Expr, ExprTrait},
};
use serde_json::Value as JsonValue;

use super::SortKey;

/// A field a collection sorts by, as a keyset reads and seeks it.
pub trait KeyField: Copy + PartialEq + Send + Sync + 'static {
    /// What a page holds one of.
    type Item;
    type Column: ColumnTrait;

    /// The primary key, which ends every order so that pages never overlap.
    const ID: Self;

    fn column(self) -> Self::Column;

    /// The value a cursor keeps of this field of `item`.
    fn key_of(self, item: &Self::Item) -> JsonValue;

    /// A value [`KeyField::key_of`] kept, back as a value to compare with;
    /// `None` when it is not one.
    fn parse_key(self, key: &JsonValue) -> Option<Value>;
}

/// Where a keyset page starts.
#[derive(Debug, Clone, PartialEq)]
pub enum Seek {
    First,
    /// Right after the item with these sort-key values.
    After(Vec<JsonValue>),
    /// Right before the item with these sort-key values.
    Before(Vec<JsonValue>),
}

/// A position that is not one in this order: made for another, or not made
/// by [`KeyField::key_of`].
#[derive(Debug, PartialEq, Eq)]
pub struct UnusablePosition;

/// The asked order, then by id so pages never overlap. The id follows the
/// direction of the last key, so one index read backwards serves a
/// descending sort.
pub fn total_order<F: KeyField>(sort: &[SortKey<F>]) -> Vec<SortKey<F>> {
    let mut order = sort.to_vec();
    if !sort.iter().any(|key| key.field == F::ID) {
        order.push(SortKey {
            field: F::ID,
            descending: sort.last().is_some_and(|key| key.descending),
        });
    }
    order
}

pub fn direction(descending: bool) -> Order {
    if descending { Order::Desc } else { Order::Asc }
}

/// One keyset page asked for: an order, a size and a position.
#[derive(Debug, Clone)]
pub struct Keyset<F> {
    pub sort: Vec<SortKey<F>>,
    pub size: u64,
    pub seek: Seek,
}

/// One keyset page read, in the collection's order, and whether more items
/// lie past it in the direction it was read.
#[derive(Debug)]
pub struct KeysetPage<T> {
    pub items: Vec<T>,
    pub more: bool,
}

impl<T> KeysetPage<T> {
    /// Whether items lie before and after the page, as its links say: a
    /// page read from a position has that position's item on its near side.
    pub fn beyond(&self, seek: &Seek) -> (bool, bool) {
        match seek {
            Seek::First => (false, self.more),
            Seek::After(_) => (true, self.more),
            Seek::Before(_) => (self.more, true),
        }
    }
}

impl<F: KeyField> Keyset<F> {
    /// The sort, then the id.
    pub fn full_order(&self) -> Vec<SortKey<F>> {
        total_order(&self.sort)
    }

    /// The cursor values of `item` in this order.
    pub fn keys_of(&self, item: &F::Item) -> Vec<JsonValue> {
        self.full_order()
            .iter()
            .map(|key| key.field.key_of(item))
            .collect()
    }

    /// Rows strictly past `keys` in the order, read `forward` or backward.
    fn past(&self, keys: &[JsonValue], forward: bool) -> Result<Condition, UnusablePosition> {
        let order = self.full_order();
        if keys.len() != order.len() {
            return Err(UnusablePosition);
        }
        let values = order
            .iter()
            .zip(keys)
            .map(|(key, value)| key.field.parse_key(value).ok_or(UnusablePosition))
            .collect::<Result<Vec<_>, _>>()?;
        let mut any = Condition::any();
        for (index, key) in order.iter().enumerate() {
            let mut all = Condition::all();
            for (equal, value) in order.iter().zip(&values).take(index) {
                all = all.add(Expr::col(equal.field.column()).eq(value.clone()));
            }
            let column = Expr::col(key.field.column());
            let value = values[index].clone();
            all = all.add(if key.descending != forward {
                column.gt(value)
            } else {
                column.lt(value)
            });
            any = any.add(all);
        }
        Ok(any)
    }

    /// `select` narrowed to the page: past the position, in the order (read
    /// backwards before a position), one row more than the page to tell
    /// whether more lie beyond.
    pub fn select<E: EntityTrait>(&self, select: Select<E>) -> Result<Select<E>, UnusablePosition> {
        let (seek, forward) = match &self.seek {
            Seek::First => (None, true),
            Seek::After(keys) => (Some(self.past(keys, true)?), true),
            Seek::Before(keys) => (Some(self.past(keys, false)?), false),
        };
        let mut select = select;
        if let Some(seek) = seek {
            select = select.filter(seek);
        }
        for key in self.full_order() {
            select = select.order_by(key.field.column(), direction(key.descending == forward));
        }
        Ok(select.limit(self.size + 1))
    }

    /// The page of the rows [`Keyset::select`] read, in the collection's
    /// order.
    pub fn page<T>(&self, mut items: Vec<T>) -> KeysetPage<T> {
        let more = items.len() as u64 > self.size;
        items.truncate(self.size as usize);
        if matches!(self.seek, Seek::Before(_)) {
            items.reverse();
        }
        KeysetPage { items, more }
    }
}
