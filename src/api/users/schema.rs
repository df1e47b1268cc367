//! The documents the users endpoints answer with and take, as poem-openapi
//! types: their doc comments become the spec and their names the class
//! names of generated SDKs.

use chrono::{NaiveDate, Utc};
use poem_openapi::{Enum, Object, types::MaybeUndefined};
use serde::{Serialize, Serializer};
use serde_json::Value;

use super::{
    attribute_patterns::{
        Address, DateOfBirth, EmailAddress, Name, Printable, Profession, Website,
    },
    resource::Users,
};
use crate::{
    jsonapi::error::ApiError,
    jsonapi::{
        document::{JsonApiObject, Meta, NoRelationships, ResourceLinks, SelfLinks, VersionMeta},
        links::{LinkBase, PaginationLinks},
        payload::RequestDocument,
        request::{IdRule, parse_resource},
        resource::ResourceType,
        values::{Date, Timestamp},
    },
    users::{attributes::age_on, input::NewUser, profile::Profile, role::Role},
};

/// The type member of a user resource: always `users`.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename = "UserType", rename_all = "lowercase")]
pub enum UserType {
    Users,
}

impl Serialize for UserType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(Users::TYPE)
    }
}

/// A user's attributes. Responses carry all of them unless `fields[users]`
/// names only some, so none is required.
#[derive(Object, Serialize, Debug, Clone)]
#[oai(rename = "UserAttributes")]
pub struct UserAttributes {
    /// The user's name, 2 to 100 characters.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The user's email address; unique, compared case-insensitively.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Date of birth, `YYYY-MM-DD`.
    #[oai(nullable)]
    pub dob: Option<Date>,
    /// Whole years since `dob`; null without it.
    #[oai(read_only, nullable)]
    pub age: Option<u32>,
    /// A postal address, at most 500 characters.
    #[oai(nullable)]
    pub address: Option<String>,
    /// What the user does, at most 500 characters.
    #[oai(nullable)]
    pub profession: Option<String>,
    /// An absolute `http` or `https` URL.
    #[oai(nullable)]
    pub website: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// When the user registered (RFC 3339, UTC).
    #[oai(read_only, skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// When the user last changed (RFC 3339, UTC).
    #[oai(read_only, skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
}

/// A user as a JSON:API resource object.
#[derive(Object, Serialize, Debug, Clone)]
#[oai(rename = "UserResource")]
pub struct UserResource {
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    pub kind: UserType,
    /// The user's id, a decimal number as a string.
    pub id: String,
    pub attributes: UserAttributes,
    pub links: ResourceLinks,
    pub meta: VersionMeta,
}

impl UserResource {
    pub fn new(user: Profile, today: NaiveDate, base: &LinkBase) -> Self {
        let meta = VersionMeta {
            version: user.version,
        };
        Self {
            meta,
            kind: UserType::Users,
            id: user.id.to_string(),
            attributes: UserAttributes {
                name: Some(user.name),
                email: Some(user.email),
                dob: user.dob.map(Date),
                age: user.dob.map(|dob| age_on(dob, today)),
                address: user.address,
                profession: user.profession,
                website: user.website,
                role: Some(user.role),
                created_at: Some(Timestamp(user.created_at)),
                updated_at: Some(Timestamp(user.updated_at)),
            },
            links: ResourceLinks {
                self_: base.resource(Users::TYPE, user.id),
            },
        }
    }
}

/// A document holding one user.
#[derive(Object, Serialize, Debug, Clone)]
#[oai(rename = "UserDocument")]
pub struct UserDocument {
    pub jsonapi: JsonApiObject,
    pub data: UserResource,
    pub links: SelfLinks,
}

impl UserDocument {
    pub fn new(user: Profile, base: &LinkBase) -> Self {
        let data = UserResource::new(user, Utc::now().date_naive(), base);
        Self {
            jsonapi: JsonApiObject::default(),
            links: SelfLinks {
                self_: data.links.self_.clone(),
            },
            data,
        }
    }
}

/// Facts about a collection.
#[derive(Object, Serialize, Debug, Clone)]
#[oai(rename = "CollectionMeta")]
pub struct CollectionMeta {
    /// How many users match the filters, on all pages.
    pub total: u64,
}

/// A document holding one page of users.
#[derive(Object, Serialize, Debug, Clone)]
#[oai(rename = "UserCollectionDocument")]
pub struct UserCollectionDocument {
    pub jsonapi: JsonApiObject,
    pub data: Vec<UserResource>,
    pub links: PaginationLinks,
    pub meta: CollectionMeta,
}

/// Attributes of a new user. Any other attribute is refused (422).
#[derive(Object, Debug)]
#[oai(rename = "UserCreateAttributes")]
pub struct UserCreateAttributes {
    /// The user's name: 2 to 100 characters, no control characters, once
    /// leading and trailing white space is trimmed (it is, before storing).
    pub name: Name,
    /// An email address, stored trimmed. No other user may have it, compared
    /// case-insensitively (409 otherwise), which no schema can state.
    #[oai(validator(max_length = 254))]
    pub email: EmailAddress,
    /// 15 to 128 characters, counted in characters; any printable Unicode,
    /// no control characters; never trimmed, never returned.
    #[oai(write_only, validator(min_length = 15, max_length = 128))]
    pub password: Printable,
    /// Date of birth, `YYYY-MM-DD`, from 1000-01-01 and not in the future
    /// (422 otherwise), which no schema can state.
    #[oai(nullable)]
    pub dob: Option<DateOfBirth>,
    /// A postal address, at most 500 characters; line breaks allowed, no
    /// other control characters.
    #[oai(nullable, validator(max_length = 500))]
    pub address: Option<Address>,
    /// What the user does, at most 500 characters; line breaks allowed, no
    /// other control characters.
    #[oai(nullable, validator(max_length = 500))]
    pub profession: Option<Profession>,
    /// An absolute `http` or `https` URL, at most 2048 characters.
    #[oai(nullable, validator(max_length = 2048))]
    pub website: Option<Website>,
    /// `user` by default, which anyone may send; only an admin may set
    /// `admin` (403 otherwise).
    #[oai(nullable)]
    pub role: Option<Role>,
    /// Computed by the server: ignored when sent, as a user read and sent
    /// back whole carries it.
    #[oai(read_only, nullable)]
    pub age: Option<u32>,
    /// Kept by the server: ignored when sent.
    #[oai(read_only)]
    pub created_at: Option<Timestamp>,
    /// Kept by the server: ignored when sent.
    #[oai(read_only)]
    pub updated_at: Option<Timestamp>,
}

/// A new user as a resource object; the server assigns the id, so sending
/// one is 403.
#[derive(Object, Debug)]
#[oai(rename = "UserCreateResource")]
pub struct UserCreateResource {
    #[oai(rename = "type")]
    pub kind: UserType,
    pub attributes: UserCreateAttributes,
    #[oai(nullable)]
    pub relationships: Option<NoRelationships>,
    /// Ignored, as a resource read and sent back carries it.
    pub links: Option<Value>,
    /// Ignored.
    pub meta: Option<Value>,
}

/// A registration: the new user as a JSON:API document.
//
// Parsed by [`RequestDocument::parse`], which reports every invalid
// attribute at once with a pointer; this type documents its shape.
#[derive(Object, Debug)]
#[oai(rename = "UserCreateDocument")]
pub struct UserCreateDocument {
    pub data: UserCreateResource,
    /// Ignored, as a document read and sent back carries it.
    pub jsonapi: Option<Value>,
    /// Ignored, as a document read and sent back carries it.
    pub links: Option<Value>,
    pub meta: Option<Meta>,
}

impl RequestDocument for UserCreateDocument {
    type Parsed = NewUser;

    fn parse(document: Value) -> Result<NewUser, ApiError> {
        NewUser::parse(parse_resource::<Users>(document, IdRule::ServerAssigned)?)
    }
}

/// The attributes to change; those not sent keep their values, and null
/// clears an optional one. Any other attribute is refused (422).
#[derive(Object, Debug)]
#[oai(rename = "UserUpdateAttributes")]
pub struct UserUpdateAttributes {
    /// A new name: 2 to 100 characters, no control characters, once leading
    /// and trailing white space is trimmed (it is, before storing).
    pub name: Option<Name>,
    /// A new email address, stored trimmed. No other user may have it,
    /// compared case-insensitively (409 otherwise), which no schema can state.
    #[oai(validator(max_length = 254))]
    pub email: Option<EmailAddress>,
    /// A new password: 15 to 128 characters, counted in characters, no
    /// control characters. Changing your own needs `meta.current_password`.
    #[oai(write_only, validator(min_length = 15, max_length = 128))]
    pub password: Option<Printable>,
    /// Date of birth, `YYYY-MM-DD`, from 1000-01-01 and not in the future
    /// (422 otherwise), which no schema can state; null clears it.
    #[oai(nullable)]
    pub dob: MaybeUndefined<DateOfBirth>,
    /// A postal address, at most 500 characters, line breaks allowed, no
    /// other control characters; null clears it.
    #[oai(nullable, validator(max_length = 500))]
    pub address: MaybeUndefined<Address>,
    /// What the user does, at most 500 characters, line breaks allowed, no
    /// other control characters; null clears it.
    #[oai(nullable, validator(max_length = 500))]
    pub profession: MaybeUndefined<Profession>,
    /// An absolute `http` or `https` URL, at most 2048 characters; null
    /// clears it.
    #[oai(nullable, validator(max_length = 2048))]
    pub website: MaybeUndefined<Website>,
    /// Only an admin may change it (403 otherwise); sending the stored role
    /// back is no change, which anyone may do.
    pub role: Option<Role>,
    /// Computed by the server: ignored when sent, as a user read and sent
    /// back whole carries it.
    #[oai(read_only, nullable)]
    pub age: Option<u32>,
    /// Kept by the server: ignored when sent.
    #[oai(read_only)]
    pub created_at: Option<Timestamp>,
    /// Kept by the server: ignored when sent.
    #[oai(read_only)]
    pub updated_at: Option<Timestamp>,
}

/// A user's changes as a resource object; `id` must match the URL (409
/// otherwise).
#[derive(Object, Debug)]
#[oai(rename = "UserUpdateResource")]
pub struct UserUpdateResource {
    #[oai(rename = "type")]
    pub kind: UserType,
    /// The user's id, as in the URL.
    pub id: String,
    pub attributes: Option<UserUpdateAttributes>,
    #[oai(nullable)]
    pub relationships: Option<NoRelationships>,
    /// Ignored, as a resource read and sent back carries it.
    pub links: Option<Value>,
    /// Ignored.
    pub meta: Option<Value>,
}

/// Proof of identity for sensitive changes; other members are ignored.
#[derive(Object, Debug)]
#[oai(rename = "UserUpdateMeta")]
pub struct UserUpdateMeta {
    /// Your current password, when you change your own password.
    #[oai(write_only, nullable)]
    pub current_password: Option<String>,
}

/// An update of a user: the attributes to change as a JSON:API document.
//
// Its id is checked against the URL by the handler, so parsing here only
// reads the JSON; this type documents its shape.
#[derive(Object, Debug)]
#[oai(rename = "UserUpdateDocument")]
pub struct UserUpdateDocument {
    pub data: UserUpdateResource,
    pub meta: Option<UserUpdateMeta>,
    /// Ignored, as a document read and sent back carries it.
    pub jsonapi: Option<Value>,
    /// Ignored, as a document read and sent back carries it.
    pub links: Option<Value>,
}

impl RequestDocument for UserUpdateDocument {
    type Parsed = Value;

    fn parse(document: Value) -> Result<Value, ApiError> {
        Ok(document)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use poem_openapi::types::ToJSON;

    use super::*;
    use crate::{collection::Page, jsonapi::links::Mount};

    fn user(id: i64, details: bool) -> Profile {
        let instant = Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap();
        Profile {
            id,
            name: "Ada \"Countess\" Lovelace".to_owned(),
            email: "Ada@Example.org".to_owned(),
            dob: details.then(|| NaiveDate::from_ymd_opt(1815, 12, 10).unwrap()),
            address: details.then(|| "12 St James's Square\nLondon".to_owned()),
            profession: details.then(|| "Mathematician".to_owned()),
            website: details.then(|| "https://example.org/ada?x=1&y=é".to_owned()),
            role: if details { Role::Admin } else { Role::User },
            created_at: instant,
            updated_at: instant,
            version: 1,
        }
    }

    fn base() -> LinkBase {
        LinkBase::new("http://127.0.0.1:8080").within(crate::api::v1::V1::LAYOUT)
    }

    /// Responses are written by serde; the spec and fieldsets by `ToJSON`.
    fn assert_both_write_the_same<T: ToJSON + Serialize>(document: &T) {
        let by_serde = serde_json::to_value(document).unwrap();
        assert_eq!(Some(by_serde), document.to_json());
    }

    #[test]
    fn serde_and_to_json_write_the_same_user_document() {
        for details in [true, false] {
            assert_both_write_the_same(&UserDocument::new(user(7, details), &base()));
        }
    }

    #[test]
    fn serde_and_to_json_write_the_same_collection_document() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        for (number, total) in [(1, 0), (1, 45), (2, 45), (3, 45)] {
            let page = Page::new(Some(number), Some(20)).unwrap();
            let document = UserCollectionDocument {
                jsonapi: JsonApiObject::default(),
                data: [user(1, true), user(2, false)]
                    .into_iter()
                    .map(|user| UserResource::new(user, today, &base()))
                    .collect(),
                links: PaginationLinks::new(
                    &base().collection(Users::TYPE),
                    "sort=-name",
                    page,
                    total,
                ),
                meta: CollectionMeta { total },
            };
            assert_both_write_the_same(&document);
        }
    }

    #[test]
    fn serde_leaves_out_attributes_that_are_not_set() {
        let mut resource = UserResource::new(user(3, false), Utc::now().date_naive(), &base());
        resource.attributes.name = None;
        resource.attributes.role = None;
        assert_both_write_the_same(&resource);
        let written = serde_json::to_value(&resource).unwrap();
        assert!(written["attributes"].get("name").is_none());
        assert!(written["attributes"]["dob"].is_null());
    }
}
