//! Posts, the domain: the table, the rules of each attribute, who may write
//! which post, storing, listing, and the newest posts of many authors at
//! once for compound documents. Posts are written by users; deleting a user
//! deletes their posts with them (the table's foreign key cascades).

pub mod counts;
pub mod entity;
pub mod error;
pub mod input;
pub mod listing;
pub mod policy;
pub mod service;
pub mod store;
