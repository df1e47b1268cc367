//! Posts as the API serves them: the resource declaration, the patterns
//! the document states for its attributes, reading a new post or changes
//! from a request document, and answering posts' errors.

pub mod attribute_patterns;
pub mod errors;
pub mod input;
pub mod resource;
