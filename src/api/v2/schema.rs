//! Version 2's user documents. A user is shown whole to themselves and to
//! admins, and as a public profile to anyone else: attributes a profile
//! hides are absent, never null, so a client can tell "hidden" from "not
//! set".

use chrono::NaiveDate;
use poem_openapi::{Object, types::MaybeUndefined};
use serde::Serialize;

use super::{included::IncludedResource, posts_schema::PostIdentifier};
use crate::{
    api::users::{resource::Users, schema::UserType},
    jsonapi::{
        document::{ResourceLinks, ResourceMeta},
        links::LinkBase,
        relationship::{RelationshipLinks, ToManyMeta},
        resource::ResourceType,
        values::{Date, Timestamp},
    },
    resource_documents,
    users::{attributes::age_on, policy::Visibility, profile::Profile, role::Role},
};

/// A user's attributes. A public profile (what other users see) holds
/// `name`, `profession`, `website` and `created_at`; the user and admins see
/// every attribute. `fields[users]` may leave out more. Null means not set;
/// an absent attribute is hidden or not asked for.
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
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    pub dob: MaybeUndefined<Date>,
    /// Whole years since `dob`; null without it.
    #[oai(read_only, nullable)]
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    pub age: MaybeUndefined<u32>,
    /// A postal address, at most 500 characters.
    #[oai(nullable)]
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    pub address: MaybeUndefined<String>,
    /// What the user does, at most 500 characters.
    #[oai(nullable)]
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    pub profession: MaybeUndefined<String>,
    /// An absolute `http` or `https` URL.
    #[oai(nullable)]
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    pub website: MaybeUndefined<String>,
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

fn from_option<T>(value: Option<T>) -> MaybeUndefined<T> {
    match value {
        Some(value) => MaybeUndefined::Value(value),
        None => MaybeUndefined::Null,
    }
}

impl UserAttributes {
    fn new(user: Profile, visibility: Visibility, today: NaiveDate) -> Self {
        let public = Self {
            name: Some(user.name),
            email: None,
            dob: MaybeUndefined::Undefined,
            age: MaybeUndefined::Undefined,
            address: MaybeUndefined::Undefined,
            profession: from_option(user.profession),
            website: from_option(user.website),
            role: None,
            created_at: Some(Timestamp(user.created_at)),
            updated_at: None,
        };
        match visibility {
            Visibility::PublicProfile => public,
            Visibility::Everything => Self {
                email: Some(user.email),
                dob: from_option(user.dob.map(Date)),
                age: from_option(user.dob.map(|dob| age_on(dob, today))),
                address: from_option(user.address),
                role: Some(user.role),
                updated_at: Some(Timestamp(user.updated_at)),
                ..public
            },
        }
    }
}

/// A user's posts: links to them and how many there are, and, when
/// `include` asked for them, linkage to the newest ten.
#[derive(Object, Serialize, Debug, Clone)]
#[oai(rename = "UserPostsRelationship")]
pub struct UserPostsRelationship {
    pub links: RelationshipLinks,
    pub meta: ToManyMeta,
    /// The newest posts, at most ten, when the document includes them;
    /// `links.related` has them all.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<Vec<PostIdentifier>>,
}

/// A user's relationships.
#[derive(Object, Serialize, Debug, Clone)]
#[oai(rename = "UserRelationships")]
pub struct UserRelationships {
    /// Left out when `fields[users]` does not name it.
    pub posts: Option<UserPostsRelationship>,
}

/// Names one user.
#[derive(Object, Serialize, Debug, Clone, PartialEq, Eq)]
#[oai(rename = "UserIdentifier")]
pub struct UserIdentifier {
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    pub kind: UserType,
    /// The user's id.
    pub id: String,
}

impl UserIdentifier {
    pub fn new(id: i64) -> Self {
        Self {
            kind: UserType::Users,
            id: id.to_string(),
        }
    }
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
    /// Left out when `fields[users]` names no relationship.
    pub relationships: Option<UserRelationships>,
    pub links: ResourceLinks,
    pub meta: ResourceMeta,
}

impl UserResource {
    /// `user` as `visibility` lets the caller see them, who has written
    /// `posts` posts.
    pub fn new(
        user: Profile,
        visibility: Visibility,
        today: NaiveDate,
        base: &LinkBase,
        posts: u64,
    ) -> Self {
        let (id, version) = (user.id, user.version);
        Self {
            kind: UserType::Users,
            id: id.to_string(),
            attributes: UserAttributes::new(user, visibility, today),
            relationships: Some(UserRelationships {
                posts: Some(UserPostsRelationship {
                    links: RelationshipLinks::of(base, Users::TYPE, id, "posts"),
                    meta: ToManyMeta { total: posts },
                    data: None,
                }),
            }),
            links: ResourceLinks {
                self_: base.resource(Users::TYPE, id),
            },
            meta: ResourceMeta::new(version),
        }
    }
}

resource_documents!(
    UserResource,
    included = IncludedResource,
    UserDocument = "UserDocument",
    UserCollectionDocument = "UserCollectionDocument",
);

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use poem_openapi::types::ToJSON;
    use serde::Serialize;

    use super::*;
    use crate::{
        api::v2::V2,
        jsonapi::{cursor::CursorLinks, links::Mount},
    };

    fn user(id: i64) -> Profile {
        let instant = Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap();
        Profile {
            id,
            name: "Ada Lovelace".to_owned(),
            email: "ada@example.org".to_owned(),
            dob: NaiveDate::from_ymd_opt(1815, 12, 10),
            address: None,
            profession: Some("Mathematician".to_owned()),
            website: None,
            role: Role::User,
            created_at: instant,
            updated_at: instant,
            version: 1,
        }
    }

    fn base() -> LinkBase {
        LinkBase::new("http://127.0.0.1:8080").within(V2::LAYOUT)
    }

    /// Responses are written by serde; the spec and fieldsets by `ToJSON`.
    fn assert_both_write_the_same<T: ToJSON + Serialize>(document: &T) {
        let by_serde = serde_json::to_value(document).unwrap();
        assert_eq!(Some(by_serde), document.to_json());
    }

    #[test]
    fn a_public_profile_leaves_private_attributes_out_rather_than_null() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let resource = UserResource::new(user(7), Visibility::PublicProfile, today, &base(), 0);
        assert_both_write_the_same(&resource);
        let written = serde_json::to_value(&resource).unwrap();
        let mut names: Vec<&String> = written["attributes"].as_object().unwrap().keys().collect();
        names.sort();
        assert_eq!(names, ["created_at", "name", "profession", "website"]);
        assert!(written["attributes"]["website"].is_null());
    }

    #[test]
    fn serde_and_to_json_write_the_same_documents() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        for visibility in [Visibility::Everything, Visibility::PublicProfile] {
            let resource = UserResource::new(user(3), visibility, today, &base(), 2);
            let link = resource.links.self_.clone();
            assert_both_write_the_same(&UserDocument::new(resource.clone(), link));
            let links = CursorLinks::new(
                &base().collection(Users::TYPE),
                "",
                Some(("a".to_owned(), "b".to_owned())),
                false,
                true,
            );
            assert_both_write_the_same(&UserCollectionDocument::new(vec![resource], links, 1));
        }
    }
}
