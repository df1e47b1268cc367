//! Version 1's users endpoints. Each handler parses, authorises, calls and
//! answers.

use poem::{Request, web::Data};
use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Header, Path, Query},
};

use super::V1;
use crate::{
    api::{
        ApiTags,
        caller::MaybeCaller,
        conditional::{self, Created, Read, Written},
        idempotency::idempotent,
        users::{
            parse_changes,
            resource::{UserFields, UserSort, Users},
            responses::{
                CreateErrors, DeleteErrors, ListErrors, MeErrors, UpdateErrors, UserDeleted,
            },
            schema::{
                CollectionMeta, UserCollectionDocument, UserCreateDocument, UserDocument,
                UserResource, UserUpdateDocument,
            },
        },
        writer::Writer,
    },
    collection::Page,
    jsonapi::error::{ApiError, Failure, error_statuses},
    jsonapi::{
        document::JsonApiObject,
        links::{LinkBase, PaginationLinks},
        pattern_param::Matching,
        payload::{Fieldset, JsonApi, JsonApiBody},
        query::parse_sort,
        resource::{ResourceType, ServesResource, fieldset},
        resource_id::ResourceId,
    },
    state::AppState,
    users::{
        caller::{Bearer, Caller},
        entity::Model as User,
        listing::{Filters, Listed, Listing, SortField},
        role::Role,
        service,
    },
};

pub struct UsersApi;

impl ServesResource for UsersApi {
    type Resource = Users;
}

error_statuses!(ReadErrors => [400, 401, 403, 404, 406, 500, 503]);

#[derive(ApiResponse)]
enum UserPage {
    /// One page of users, with links to the others and the exact total.
    #[oai(status = 200)]
    Ok(JsonApi<UserCollectionDocument>),
}

fn answer(user: User, base: &LinkBase, fields: Option<Fieldset>) -> JsonApi<UserDocument> {
    JsonApi::new(UserDocument::new(user.into(), base)).with_fieldset(fields)
}

#[OpenApi(tag = "ApiTags::Users")]
impl UsersApi {
    /// List users
    ///
    /// One page of users, for admins. Filters combine; pagination links keep
    /// the sort, filters and fieldset.
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/users.json", method = "get", operation_id = "listUsers")]
    async fn list(
        &self,
        state: Data<&AppState>,
        request: &Request,
        base: LinkBase,
        bearer: Bearer,
        /// The page, counted from 1; a page past the last is empty.
        #[oai(
            name = "page[number]",
            validator(minimum(value = "1"), maximum(value = "1000000000000000"))
        )]
        page_number: Query<Option<u64>>,
        /// Users per page, 1 to 100; 20 by default.
        #[oai(
            name = "page[size]",
            validator(minimum(value = "1"), maximum(value = "100"))
        )]
        page_size: Query<Option<u64>>,
        /// Comma-separated fields among `id`, `name`, `email`, `created_at`
        /// and `updated_at`, each prefixed with `-` for descending order.
        sort: Query<Option<UserSort>>,
        /// Users with exactly this email address, compared case-insensitively.
        #[oai(name = "filter[email]")]
        filter_email: Query<Option<String>>,
        /// Users whose name contains this, case-insensitively.
        #[oai(name = "filter[name]")]
        filter_name: Query<Option<String>>,
        /// Users with this role.
        #[oai(name = "filter[role]")]
        filter_role: Query<Option<Role>>,
        /// Users whose name or email contains this, case-insensitively.
        #[oai(name = "filter[q]")]
        filter_q: Query<Option<String>>,
        /// Comma-separated attributes to include; the others are left out.
        #[oai(name = "fields[users]")]
        fields: Query<Option<UserFields>>,
    ) -> Result<UserPage, Failure<ListErrors>> {
        let filters = Filters {
            email: filter_email.0,
            name: filter_name.0,
            role: filter_role.0,
            q: filter_q.0,
            q_names_only: false,
        };
        let (listing, fields) = match parse_listing(
            page_number.0,
            page_size.0,
            sort.0.as_ref().map(Matching::as_str),
            filters,
        )
        .and_then(|listing| {
            Ok((
                listing,
                fieldset::<Users>(fields.0.as_ref().map(Matching::as_str))?,
            ))
        }) {
            Ok((listing, fields)) => (Ok(listing), fields),
            Err(error) => (Err(error), None),
        };
        let Listed { page, users, total } = service::list_for(&state, &bearer, listing).await?;
        let today = chrono::Utc::now().date_naive();
        let document = UserCollectionDocument {
            jsonapi: JsonApiObject::default(),
            data: users
                .into_iter()
                .map(|user| UserResource::new(user, today, &base))
                .collect(),
            links: PaginationLinks::new(
                &base.url(request.uri().path()),
                request.uri().query().unwrap_or_default(),
                page,
                total,
            ),
            meta: CollectionMeta { total },
        };
        Ok(UserPage::Ok(JsonApi::new(document).with_fieldset(fields)))
    }

    /// Register a user
    ///
    /// Anyone may register. Only an admin may set `role`.
    #[oai(
        path = "/users.json",
        method = "post",
        operation_id = "createUser",
        transform = "idempotent"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        writer: Writer,
        base: LinkBase,
        caller: MaybeCaller,
        /// A key of your choosing, a UUID say, that makes a retry safe: a
        /// request sent again with the same key and body gets the first
        /// answer back, and nothing is created twice.
        #[oai(name = "Idempotency-Key")]
        _idempotency_key: Header<Option<String>>,
        body: JsonApiBody<UserCreateDocument>,
    ) -> Result<Created<UserDocument>, Failure<CreateErrors>> {
        let user = service::register_for(&state, &writer.db(), caller.0.as_ref(), body.0).await?;
        let location = base.resource(Users::TYPE, user.id);
        let version = user.version;
        Ok(Created::new(answer(user, &base, None), location, version))
    }

    /// Read the signed-in user
    ///
    /// The user the bearer token was issued to, whatever their id.
    #[oai(
        path = "/users/me.json",
        method = "get",
        operation_id = "getCurrentUser"
    )]
    async fn me(
        &self,
        base: LinkBase,
        caller: Caller,
        /// Comma-separated attributes to include; the others are left out.
        #[oai(name = "fields[users]")]
        fields: Query<Option<UserFields>>,
        /// The `ETag` of the copy you hold: 304 while it is current.
        #[oai(name = "If-None-Match")]
        if_none_match: Header<Option<String>>,
    ) -> Result<Read<UserDocument>, Failure<MeErrors>> {
        let fields = fieldset::<Users>(fields.0.as_ref().map(Matching::as_str))?;
        let version = caller.0.version;
        if let Some(unchanged) = Read::unchanged(if_none_match.0.as_deref(), version) {
            return Ok(unchanged);
        }
        Ok(Read::new(answer(caller.0, &base, fields), version))
    }

    /// Read a user
    ///
    /// Users may read themselves; admins may read anyone.
    #[oai(path = "/users/:id", method = "get", operation_id = "getUser")]
    async fn read(
        &self,
        state: Data<&AppState>,
        /// The user's id.
        id: Path<ResourceId<V1>>,
        base: LinkBase,
        bearer: Bearer,
        /// Comma-separated attributes to include; the others are left out.
        #[oai(name = "fields[users]")]
        fields: Query<Option<UserFields>>,
        /// The `ETag` of the copy you hold: 304 while it is current.
        #[oai(name = "If-None-Match")]
        if_none_match: Header<Option<String>>,
    ) -> Result<Read<UserDocument>, Failure<ReadErrors>> {
        let user = service::find_for(&state, &bearer, id.0.0).await?;
        let fields = fieldset::<Users>(fields.0.as_ref().map(Matching::as_str))?;
        let version = user.version;
        if let Some(unchanged) = Read::unchanged(if_none_match.0.as_deref(), version) {
            return Ok(unchanged);
        }
        Ok(Read::new(answer(user, &base, fields), version))
    }

    /// Update a user
    ///
    /// Changes only the attributes sent. Changing your own password needs
    /// `meta.current_password`, and ends every token issued before.
    #[oai(path = "/users/:id", method = "patch", operation_id = "updateUser")]
    async fn update(
        &self,
        state: Data<&AppState>,
        /// The user's id.
        id: Path<ResourceId<V1>>,
        base: LinkBase,
        bearer: Bearer,
        /// The `ETag` of the user as you read it: the change applies only
        /// while the user is at that version (412 otherwise).
        #[oai(name = "If-Match")]
        if_match: Header<Option<String>>,
        body: JsonApiBody<UserUpdateDocument>,
    ) -> Result<Written<UserDocument>, Failure<UpdateErrors>> {
        let expected = conditional::expected(&state, if_match.0.as_deref())?;
        let changes = parse_changes::<Users>(body.0, id.0.0);
        let user = changes
            .apply(&state, &state.db, &bearer, id.0.0, &expected)
            .await?;
        let version = user.version;
        Ok(Written::new(answer(user, &base, None), version))
    }

    /// Delete a user
    ///
    /// Users may delete themselves; admins may delete anyone.
    #[oai(path = "/users/:id", method = "delete", operation_id = "deleteUser")]
    async fn delete(
        &self,
        state: Data<&AppState>,
        /// The user's id.
        id: Path<ResourceId<V1>>,
        caller: Caller,
        /// The `ETag` of the user as you read it: the user is deleted only
        /// while at that version (412 otherwise).
        #[oai(name = "If-Match")]
        if_match: Header<Option<String>>,
    ) -> Result<UserDeleted, Failure<DeleteErrors>> {
        let expected = conditional::expected(&state, if_match.0.as_deref())?;
        service::delete_for(&state.db, &caller, id.0.0, &expected).await?;
        Ok(UserDeleted::NoContent)
    }
}

fn parse_listing(
    page_number: Option<u64>,
    page_size: Option<u64>,
    sort: Option<&str>,
    filters: Filters,
) -> Result<Listing, ApiError> {
    Ok(Listing {
        page: Page::new(page_number, page_size)?,
        sort: sort
            .map(|sort| parse_sort(sort, SortField::parse))
            .transpose()?
            .unwrap_or_default(),
        filters,
    })
}
