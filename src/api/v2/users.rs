//! Version 2's users endpoints: extensionless URLs, public profiles for
//! other users, and cursor pagination. Each handler parses, authorises,
//! calls and answers.

use chrono::Utc;
use poem::{Request, web::Data};
use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Path, Query},
};

use super::{
    V2,
    schema::{UserCollectionDocument, UserDocument, UserResource},
};
use crate::{
    api::{
        ApiTags,
        caller::MaybeCaller,
        users::{
            parse_changes,
            resource::{UserFields, UserSort, Users},
            responses::{
                CreateErrors, DeleteErrors, ListErrors, MeErrors, UpdateErrors, UserDeleted,
            },
            schema::{UserCreateDocument, UserUpdateDocument},
        },
    },
    jsonapi::error::{ApiError, Failure, error_statuses},
    jsonapi::{
        cursor::{
            self, Anchor, CursorLinks, CursorPage, ItemMeta, ItemPage, PAGE_AFTER, PAGE_BEFORE,
            PROFILE, PageSize,
        },
        links::LinkBase,
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
        listing::{Filters, KeysetListing, Seek, SortField},
        policy::{self, Visibility},
        role::Role,
        service,
    },
};

pub struct UsersApi;

impl ServesResource for UsersApi {
    type Resource = Users;
}

error_statuses!(ReadErrors => [400, 401, 404, 406, 500, 503]);

#[derive(ApiResponse)]
enum UserPage {
    /// One page of users, with cursors to the pages beside it and the exact
    /// total: public profiles, or every attribute for an admin.
    #[oai(status = 200)]
    Ok(JsonApi<UserCollectionDocument>),
}

#[derive(ApiResponse)]
enum UserCreated {
    /// Registered. `Location` is the new user's absolute URL, as is
    /// `links.self`.
    #[oai(status = 201)]
    Created(
        JsonApi<UserDocument>,
        /// The new user's URL.
        #[oai(header = "Location")]
        String,
    ),
}

#[derive(ApiResponse)]
enum UserFound {
    /// The user.
    #[oai(status = 200)]
    Ok(JsonApi<UserDocument>),
}

fn answer(
    user: User,
    visibility: Visibility,
    base: &LinkBase,
    fields: Option<Fieldset>,
) -> JsonApi<UserDocument> {
    let resource = UserResource::new(user.into(), visibility, Utc::now().date_naive(), base);
    let self_link = resource.links.self_.clone();
    JsonApi::new(UserDocument::new(resource, self_link)).with_fieldset(fields)
}

#[OpenApi(tag = "ApiTags::Users")]
impl UsersApi {
    /// List users
    ///
    /// One page of users for any signed-in user: public profiles, or every
    /// attribute for an admin. Only admins may filter by `email` or `role`,
    /// or sort by `email` or `updated_at`. Pages follow the JSON:API Cursor
    /// Pagination profile; their links keep the sort, filters and fieldset.
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/users", method = "get", operation_id = "listUsers")]
    async fn list(
        &self,
        state: Data<&AppState>,
        request: &Request,
        base: LinkBase,
        caller: Caller,
        /// Users per page, 1 to 100; 20 by default.
        #[oai(name = "page[size]")]
        page_size: Query<Option<PageSize>>,
        /// The users after this cursor (an item's `meta.page.cursor`, or
        /// the one in `links.next`).
        #[oai(name = "page[after]")]
        page_after: Query<Option<String>>,
        /// The users before this cursor (as in `links.prev`).
        #[oai(name = "page[before]")]
        page_before: Query<Option<String>>,
        /// Comma-separated fields among `id`, `name`, `email`, `created_at`
        /// and `updated_at`, each prefixed with `-` for descending order.
        sort: Query<Option<UserSort>>,
        /// Users with exactly this email address, compared
        /// case-insensitively. Admins only.
        #[oai(name = "filter[email]")]
        filter_email: Query<Option<String>>,
        /// Users whose name contains this, case-insensitively.
        #[oai(name = "filter[name]")]
        filter_name: Query<Option<String>>,
        /// Users with this role. Admins only.
        #[oai(name = "filter[role]")]
        filter_role: Query<Option<Role>>,
        /// Users whose name (or, for an admin, email) contains this,
        /// case-insensitively.
        #[oai(name = "filter[q]")]
        filter_q: Query<Option<String>>,
        /// Comma-separated attributes to include; the others are left out.
        #[oai(name = "fields[users]")]
        fields: Query<Option<UserFields>>,
    ) -> Result<UserPage, Failure<ListErrors>> {
        let sort_text = sort.0.as_ref().map(Matching::as_str).unwrap_or_default();
        let page = CursorPage::parse(
            page_size.0.map(|size| size.0),
            page_after.0.as_deref(),
            page_before.0.as_deref(),
            sort_text,
        )?;
        let fields = fieldset::<Users>(fields.0.as_ref().map(Matching::as_str))?;
        let mut listing = KeysetListing {
            filters: Filters {
                email: filter_email.0,
                name: filter_name.0,
                role: filter_role.0,
                q: filter_q.0,
                q_names_only: false,
            },
            sort: match &sort.0 {
                Some(sort) => parse_sort(sort.as_str(), SortField::parse)?,
                None => Vec::new(),
            },
            size: page.size,
            seek: match page.anchor {
                Anchor::Start => Seek::First,
                Anchor::After(keys) => Seek::After(keys),
                Anchor::Before(keys) => Seek::Before(keys),
            },
        };
        let listed = service::keyset_list_for(&state, &caller, &mut listing)
            .await?
            .ok_or_else(|| {
                let parameter = match listing.seek {
                    Seek::Before(_) => PAGE_BEFORE,
                    _ => PAGE_AFTER,
                };
                ApiError::invalid_parameter(parameter, "this is not a cursor of this collection")
            })?;
        let (more_before, more_after) = match listing.seek {
            Seek::First => (false, listed.more),
            Seek::After(_) => (true, listed.more),
            Seek::Before(_) => (listed.more, true),
        };
        let today = Utc::now().date_naive();
        let data: Vec<UserResource> = listed
            .users
            .into_iter()
            .map(|user| {
                let cursor = cursor::encode(sort_text, listing.keys_of(&user));
                let visibility = policy::visibility(&caller, user.id);
                let mut resource = UserResource::new(user, visibility, today, &base);
                resource.meta = Some(ItemMeta {
                    page: ItemPage { cursor },
                });
                resource
            })
            .collect();
        let edges = match (data.first(), data.last()) {
            (Some(first), Some(last)) => Some((item_cursor(first), item_cursor(last))),
            _ => None,
        };
        let links = CursorLinks::new(
            &base.collection(Users::TYPE),
            request.uri().query().unwrap_or_default(),
            edges,
            more_before,
            more_after,
        );
        let document = UserCollectionDocument::new(data, links, listed.total);
        Ok(UserPage::Ok(
            JsonApi::new(document)
                .with_fieldset(fields)
                .with_profile(PROFILE),
        ))
    }

    /// Register a user
    ///
    /// Anyone may register. Only an admin may set `role`.
    #[oai(path = "/users", method = "post", operation_id = "createUser")]
    async fn create(
        &self,
        state: Data<&AppState>,
        base: LinkBase,
        caller: MaybeCaller,
        body: JsonApiBody<UserCreateDocument>,
    ) -> Result<UserCreated, Failure<CreateErrors>> {
        let user = service::register_for(&state, caller.0.as_ref(), body.0).await?;
        let location = base.resource(Users::TYPE, user.id);
        Ok(UserCreated::Created(
            answer(user, Visibility::Everything, &base, None),
            location,
        ))
    }

    /// Read the signed-in user
    ///
    /// The user the bearer token was issued to, every attribute.
    #[oai(path = "/users/me", method = "get", operation_id = "getCurrentUser")]
    async fn me(
        &self,
        base: LinkBase,
        caller: Caller,
        /// Comma-separated attributes to include; the others are left out.
        #[oai(name = "fields[users]")]
        fields: Query<Option<UserFields>>,
    ) -> Result<UserFound, Failure<MeErrors>> {
        let fields = fieldset::<Users>(fields.0.as_ref().map(Matching::as_str))?;
        Ok(UserFound::Ok(answer(
            caller.0,
            Visibility::Everything,
            &base,
            fields,
        )))
    }

    /// Read a user
    ///
    /// Any signed-in user may read any user: every attribute of themselves
    /// (and, for an admin, of anyone), the public profile of others.
    #[oai(path = "/users/:id", method = "get", operation_id = "getUser")]
    async fn read(
        &self,
        state: Data<&AppState>,
        /// The user's id.
        id: Path<ResourceId<V2>>,
        base: LinkBase,
        bearer: Bearer,
        /// Comma-separated attributes to include; the others are left out.
        #[oai(name = "fields[users]")]
        fields: Query<Option<UserFields>>,
    ) -> Result<UserFound, Failure<ReadErrors>> {
        let (user, visibility) = service::find_visible(&state, &bearer, id.0.0).await?;
        let fields = fieldset::<Users>(fields.0.as_ref().map(Matching::as_str))?;
        Ok(UserFound::Ok(answer(user, visibility, &base, fields)))
    }

    /// Update a user
    ///
    /// Users may change themselves; admins may change anyone. Changes only
    /// the attributes sent. Changing your own password needs
    /// `meta.current_password`, and ends every token issued before.
    #[oai(path = "/users/:id", method = "patch", operation_id = "updateUser")]
    async fn update(
        &self,
        state: Data<&AppState>,
        /// The user's id.
        id: Path<ResourceId<V2>>,
        base: LinkBase,
        bearer: Bearer,
        body: JsonApiBody<UserUpdateDocument>,
    ) -> Result<UserFound, Failure<UpdateErrors>> {
        let changes = parse_changes(body.0, id.0.0);
        let user = changes.apply(&state, &bearer, id.0.0).await?;
        Ok(UserFound::Ok(answer(
            user,
            Visibility::Everything,
            &base,
            None,
        )))
    }

    /// Delete a user
    ///
    /// Users may delete themselves; admins may delete anyone.
    #[oai(path = "/users/:id", method = "delete", operation_id = "deleteUser")]
    async fn delete(
        &self,
        state: Data<&AppState>,
        /// The user's id.
        id: Path<ResourceId<V2>>,
        caller: Caller,
    ) -> Result<UserDeleted, Failure<DeleteErrors>> {
        service::delete_for(&state, &caller, id.0.0).await?;
        Ok(UserDeleted::NoContent)
    }
}

fn item_cursor(resource: &UserResource) -> String {
    resource
        .meta
        .as_ref()
        .map(|meta| meta.page.cursor.clone())
        .unwrap_or_default()
}
