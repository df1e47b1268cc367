//! Users as a JSON:API resource type, declared once for the layer to
//! derive the rest from.

use crate::jsonapi::resource::{FieldsParam, ResourceType, SortParam};

pub struct Users;

impl ResourceType for Users {
    const TYPE: &'static str = "users";
    const ATTRIBUTES: &'static [&'static str] = &[
        "name",
        "email",
        "dob",
        "age",
        "address",
        "profession",
        "website",
        "role",
        "created_at",
        "updated_at",
    ];
    const SERVER_OWNED: &'static [&'static str] = &["age", "created_at", "updated_at"];
    const WRITE_ONLY: &'static [&'static str] = &["password"];
    const SORTABLE: &'static [&'static str] = &["id", "name", "email", "created_at", "updated_at"];
    const FILTERABLE: &'static [&'static str] = &["email", "name", "role", "q"];
    const RELATIONSHIPS: &'static [&'static str] = &[];
}

/// `sort` on users.
pub type UserSort = SortParam<Users>;

/// `fields[users]`.
pub type UserFields = FieldsParam<Users>;

#[cfg(test)]
mod tests {
    use poem_openapi::registry::{MetaApi, MetaParamIn};

    use super::*;
    use crate::{
        api::{v1::users::UsersApi as V1Users, v2::users::UsersApi as V2Users},
        jsonapi::pattern_param::Pattern,
        users::listing::SortField,
    };

    #[test]
    fn every_sortable_field_is_one_the_store_sorts_by() {
        for name in Users::SORTABLE {
            assert!(SortField::parse(name).is_some(), "{name}");
        }
    }

    #[test]
    fn the_document_publishes_the_patterns_of_the_declaration() {
        type Sort = crate::jsonapi::resource::SortFields<Users>;
        type Fields = crate::jsonapi::resource::FieldNames<Users>;
        assert_eq!(
            Sort::pattern(),
            r"^-?(id|name|email|created_at|updated_at)(,-?(id|name|email|created_at|updated_at))*$"
        );
        assert!(Fields::regex().is_match("name,email"));
        assert!(Fields::regex().is_match(""));
        assert!(!Fields::regex().is_match("password"));
        assert!(!Sort::regex().is_match("--name"));
    }

    /// The `filter[...]` parameters a listing operation declares.
    fn declared_filters(apis: Vec<MetaApi>) -> Vec<String> {
        let mut filters: Vec<String> = apis
            .iter()
            .flat_map(|api| &api.paths)
            .flat_map(|path| &path.operations)
            .filter(|operation| operation.operation_id == Some("listUsers"))
            .flat_map(|operation| &operation.params)
            .filter(|param| param.in_type == MetaParamIn::Query)
            .filter_map(|param| {
                param
                    .name
                    .strip_prefix("filter[")
                    .and_then(|name| name.strip_suffix(']'))
                    .map(str::to_owned)
            })
            .collect();
        filters.sort();
        filters
    }

    #[test]
    fn every_version_lists_users_by_the_declared_filters() {
        use poem_openapi::OpenApi;
        let mut declared: Vec<String> = Users::FILTERABLE
            .iter()
            .map(|name| name.to_string())
            .collect();
        declared.sort();
        assert_eq!(declared_filters(V1Users::meta()), declared);
        assert_eq!(declared_filters(V2Users::meta()), declared);
    }
}
