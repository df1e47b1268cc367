//! Version 2's users endpoints: extensionless URLs, public profiles for
//! other users, and cursor pagination. Each handler parses, authorises,
//! calls and answers.

use chrono::Utc;
use poem::{Request, web::Data};
use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Header, Path, Query},
};

use super::{
    V2,
    included::{IncludedResource, Viewer, seen_by},
    resources::{POSTS, UserFields, UserInclude, UsersWithPosts},
    schema::{UserCollectionDocument, UserDocument, UserResource},
};
use crate::{
    api::posts::resource::{PostFields, Posts},
    api::{
        ApiTags,
        caller::MaybeCaller,
        conditional::{self, Created, Read, Written},
        idempotency::idempotent,
        users::{
            parse_changes,
            resource::{UserSort, Users},
            responses::{
                CreateErrors, DeleteErrors, ListErrors, MeErrors, UpdateErrors, UserDeleted,
            },
            schema::{UserCreateDocument, UserUpdateDocument},
        },
        writer::Writer,
    },
    collection::keyset::Keyset,
    jsonapi::error::{ApiError, Failure, error_statuses},
    jsonapi::{
        cursor::{self, CursorPage, PROFILE, PageSize},
        links::LinkBase,
        pattern_param::Matching,
        payload::{Fieldset, JsonApi, JsonApiBody},
        query::parse_sort,
        resource::{ResourceType, ServesResource, fieldset, include_paths},
        resource_id::ResourceId,
    },
    state::AppState,
    users::{
        caller::{Bearer, Caller},
        entity::Model as User,
        listing::{Filters, KeysetListing, SortField},
        policy::Visibility,
        profile::Profile,
        role::Role,
        service,
    },
};

pub struct UsersApi;

impl ServesResource for UsersApi {
    type Resource = UsersWithPosts;
}

error_statuses!(ReadErrors => [400, 401, 404, 406, 500, 503]);

#[derive(ApiResponse)]
enum UserPage {
    /// One page of users, with cursors to the pages beside it and the exact
    /// total: public profiles, or every attribute for an admin.
    #[oai(status = 200)]
    Ok(JsonApi<UserCollectionDocument>),
}

/// What a request asks a users document to show beyond the users.
struct Shown {
    include_posts: bool,
    fields: Option<Fieldset>,
    post_fields: Option<Fieldset>,
}

impl Shown {
    fn parse(
        include: &Query<Option<UserInclude>>,
        fields: &Query<Option<UserFields>>,
        post_fields: &Query<Option<PostFields>>,
    ) -> Result<Self, ApiError> {
        Ok(Self {
            include_posts: include_paths(include.0.as_ref().map(Matching::as_str))
                .iter()
                .any(|path| path.split('.').next() == Some(POSTS)),
            fields: fieldset::<UsersWithPosts>(fields.0.as_ref().map(Matching::as_str))?,
            post_fields: fieldset::<Posts>(post_fields.0.as_ref().map(Matching::as_str))?,
        })
    }

    /// Nothing but every field of the users.
    fn nothing_more() -> Self {
        Self {
            include_posts: false,
            fields: None,
            post_fields: None,
        }
    }

    /// `users` as `viewer` sees them, with their newest posts included if
    /// asked: one statement beyond the users, either way.
    async fn resources(
        &self,
        viewer: &Viewer<'_>,
        users: Vec<Profile>,
    ) -> Result<(Vec<UserResource>, Vec<IncludedResource>), ApiError> {
        if self.include_posts {
            let mut resources: Vec<UserResource> =
                users.into_iter().map(|user| viewer.user(user, 0)).collect();
            let included = viewer.posts_of(&mut resources).await?;
            Ok((resources, included))
        } else {
            Ok((viewer.users(users).await?, Vec::new()))
        }
    }

    fn apply<T>(self, payload: JsonApi<T>) -> JsonApi<T> {
        payload
            .with_fieldset(self.fields)
            .with_fieldset(self.post_fields)
    }

    /// The document of `user`, seen as `visibility` allows.
    async fn answer(
        self,
        state: &AppState,
        base: &LinkBase,
        user: User,
        visibility: Visibility,
    ) -> Result<JsonApi<UserDocument>, ApiError> {
        let seen = move |_| visibility;
        let viewer = Viewer::of(state, base, &seen);
        let (mut resources, included) = self.resources(&viewer, vec![user.into()]).await?;
        let resource = resources
            .pop()
            .ok_or_else(|| ApiError::internal("a user went missing"))?;
        let self_link = resource.links.self_.clone();
        let document = UserDocument::new(resource, self_link).with_included(included);
        Ok(self.apply(JsonApi::new(document)))
    }
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
        /// Comma-separated fields of users to show (attributes and
        /// `posts`); the others are left out.
        #[oai(name = "fields[users]")]
        fields: Query<Option<UserFields>>,
        /// Comma-separated fields of included posts to show.
        #[oai(name = "fields[posts]")]
        post_fields: Query<Option<PostFields>>,
        /// `posts` (or `posts.author`) to include each user's ten newest
        /// posts.
        include: Query<Option<UserInclude>>,
    ) -> Result<UserPage, Failure<ListErrors>> {
        let sort_text = sort.0.as_ref().map(Matching::as_str).unwrap_or_default();
        let page = CursorPage::parse(
            page_size.0.map(|size| size.0),
            page_after.0.as_deref(),
            page_before.0.as_deref(),
            sort_text,
        )?;
        let shown = Shown::parse(&include, &fields, &post_fields)?;
        let mut listing = KeysetListing {
            filters: Filters {
                email: filter_email.0,
                name: filter_name.0,
                role: filter_role.0,
                q: filter_q.0,
                q_names_only: false,
            },
            keyset: Keyset {
                sort: match &sort.0 {
                    Some(sort) => parse_sort(sort.as_str(), SortField::parse)?,
                    None => Vec::new(),
                },
                size: page.size,
                seek: page.seek,
            },
        };
        let (listed, total) = service::keyset_list_for(&state, &caller, &mut listing)
            .await?
            .ok_or_else(|| cursor::unusable_cursor(&listing.keyset.seek))?;
        let (items, links) = cursor::paged(
            &listing.keyset.seek,
            sort_text,
            listed,
            |user| listing.keyset.keys_of(user),
            &base.collection(Users::TYPE),
            request.uri().query().unwrap_or_default(),
        );
        let (users, cursors): (Vec<_>, Vec<_>) = items.into_iter().unzip();
        let seen = seen_by(&caller);
        let viewer = Viewer::of(&state, &base, &seen);
        let (mut data, included) = shown.resources(&viewer, users).await?;
        for (resource, cursor) in data.iter_mut().zip(cursors) {
            resource.meta.page = Some(cursor.page);
        }
        let document = UserCollectionDocument::new(data, links, total).with_included(included);
        Ok(UserPage::Ok(
            shown.apply(JsonApi::new(document)).with_profile(PROFILE),
        ))
    }

    /// Register a user
    ///
    /// Anyone may register. Only an admin may set `role`.
    #[oai(
        path = "/users",
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
        let today = Utc::now().date_naive();
        let version = user.version;
        let resource = UserResource::new(user.into(), Visibility::Everything, today, &base, 0);
        let document = UserDocument::new(resource, location.clone());
        Ok(Created::new(JsonApi::new(document), location, version))
    }

    /// Read the signed-in user
    ///
    /// The user the bearer token was issued to, every attribute.
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/users/me", method = "get", operation_id = "getCurrentUser")]
    async fn me(
        &self,
        state: Data<&AppState>,
        base: LinkBase,
        caller: Caller,
        /// Comma-separated fields of users to show (attributes and
        /// `posts`); the others are left out.
        #[oai(name = "fields[users]")]
        fields: Query<Option<UserFields>>,
        /// Comma-separated fields of included posts to show.
        #[oai(name = "fields[posts]")]
        post_fields: Query<Option<PostFields>>,
        /// `posts` (or `posts.author`) to include your ten newest posts.
        include: Query<Option<UserInclude>>,
        /// The `ETag` of the copy you hold: 304 while it is current.
        #[oai(name = "If-None-Match")]
        if_none_match: Header<Option<String>>,
    ) -> Result<Read<UserDocument>, Failure<MeErrors>> {
        let shown = Shown::parse(&include, &fields, &post_fields)?;
        let version = caller.0.version;
        if let Some(unchanged) = Read::unchanged(if_none_match.0.as_deref(), version) {
            return Ok(unchanged);
        }
        let answer = shown
            .answer(&state, &base, caller.0, Visibility::Everything)
            .await?;
        Ok(Read::new(answer, version))
    }

    /// Read a user
    ///
    /// Any signed-in user may read any user: every attribute of themselves
    /// (and, for an admin, of anyone), the public profile of others.
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/users/:id", method = "get", operation_id = "getUser")]
    async fn read(
        &self,
        state: Data<&AppState>,
        /// The user's id.
        id: Path<ResourceId<V2>>,
        base: LinkBase,
        bearer: Bearer,
        /// Comma-separated fields of users to show (attributes and
        /// `posts`); the others are left out.
        #[oai(name = "fields[users]")]
        fields: Query<Option<UserFields>>,
        /// Comma-separated fields of included posts to show.
        #[oai(name = "fields[posts]")]
        post_fields: Query<Option<PostFields>>,
        /// `posts` (or `posts.author`) to include the user's ten newest
        /// posts.
        include: Query<Option<UserInclude>>,
        /// The `ETag` of the copy you hold: 304 while it is current.
        #[oai(name = "If-None-Match")]
        if_none_match: Header<Option<String>>,
    ) -> Result<Read<UserDocument>, Failure<ReadErrors>> {
        let shown = Shown::parse(&include, &fields, &post_fields)?;
        let (user, visibility) = service::find_visible(&state, &bearer, id.0.0).await?;
        let version = user.version;
        if let Some(unchanged) = Read::unchanged(if_none_match.0.as_deref(), version) {
            return Ok(unchanged);
        }
        let answer = shown.answer(&state, &base, user, visibility).await?;
        Ok(Read::new(answer, version))
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
        /// The `ETag` of the user as you read it: the change applies only
        /// while the user is at that version (412 otherwise).
        #[oai(name = "If-Match")]
        if_match: Header<Option<String>>,
        body: JsonApiBody<UserUpdateDocument>,
    ) -> Result<Written<UserDocument>, Failure<UpdateErrors>> {
        let expected = conditional::expected(&state, if_match.0.as_deref())?;
        let changes = parse_changes::<UsersWithPosts>(body.0, id.0.0);
        let user = changes
            .apply(&state, &state.db, &bearer, id.0.0, &expected)
            .await?;
        let version = user.version;
        let answer = Shown::nothing_more()
            .answer(&state, &base, user, Visibility::Everything)
            .await?;
        Ok(Written::new(answer, version))
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
