//! The top-level documents every resource type shares, declared once: a
//! single-resource document and a cursor-paginated collection document,
//! named for the resource so that generated SDKs get their own classes
//! (`UserDocument`, `UserCollectionDocument`, ...). poem-openapi names a
//! generic object after its parameters, so the layer writes concrete types
//! with a macro instead.

/// Declares `$document` (one `$resource`, named `$document_name` in the
/// OpenAPI document) and `$collection` (a cursor-paginated page of them),
/// each a compound document whose `included` holds `$included`s.
#[macro_export]
macro_rules! resource_documents {
    (
        $resource:ty,
        included = $included:ty,
        $document:ident = $document_name:literal,
        $collection:ident = $collection_name:literal $(,)?
    ) => {
        /// A document holding one resource.
        #[derive(poem_openapi::Object, serde::Serialize, Debug, Clone)]
        #[oai(rename = $document_name)]
        pub struct $document {
            pub jsonapi: $crate::jsonapi::document::JsonApiObject,
            pub data: $resource,
            /// The resources `include` asked for, each once.
            #[oai(skip_serializing_if_is_none)]
            #[serde(skip_serializing_if = "Option::is_none")]
            pub included: Option<Vec<$included>>,
            pub links: $crate::jsonapi::document::SelfLinks,
        }

        impl $document {
            /// The document of `data`, whose own link is the document's.
            pub fn new(data: $resource, self_link: String) -> Self {
                Self {
                    jsonapi: $crate::jsonapi::document::JsonApiObject::default(),
                    data,
                    included: None,
                    links: $crate::jsonapi::document::SelfLinks { self_: self_link },
                }
            }

            /// The document with `included`, which is left out when empty.
            pub fn with_included(mut self, included: Vec<$included>) -> Self {
                self.included = (!included.is_empty()).then_some(included);
                self
            }
        }

        /// A page of a collection, paginated by cursors as the JSON:API
        /// Cursor Pagination profile describes.
        #[derive(poem_openapi::Object, serde::Serialize, Debug, Clone)]
        #[oai(rename = $collection_name)]
        pub struct $collection {
            pub jsonapi: $crate::jsonapi::document::JsonApiObject,
            pub data: Vec<$resource>,
            /// The resources `include` asked for, each once.
            #[oai(skip_serializing_if_is_none)]
            #[serde(skip_serializing_if = "Option::is_none")]
            pub included: Option<Vec<$included>>,
            pub links: $crate::jsonapi::cursor::CursorLinks,
            pub meta: $crate::jsonapi::cursor::CollectionMeta,
        }

        impl $collection {
            pub fn new(
                data: Vec<$resource>,
                links: $crate::jsonapi::cursor::CursorLinks,
                total: u64,
            ) -> Self {
                Self {
                    jsonapi: $crate::jsonapi::document::JsonApiObject::with_profile(
                        $crate::jsonapi::cursor::PROFILE,
                    ),
                    data,
                    included: None,
                    links,
                    meta: $crate::jsonapi::cursor::CollectionMeta {
                        page: $crate::jsonapi::cursor::PageMeta { total },
                    },
                }
            }

            /// The document with `included`, which is left out when empty.
            pub fn with_included(mut self, included: Vec<$included>) -> Self {
                self.included = (!included.is_empty()).then_some(included);
                self
            }
        }
    };
}
