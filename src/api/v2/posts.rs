//! Version 2's posts endpoints. Any signed-in user reads any post; its
//! author or an admin changes or deletes it. Each handler parses,
//! authorises, calls and answers.

use poem::{Request, web::Data};
use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Header, Path, Query},
};

use super::{
    V2, V2Tags,
    included::{IncludedResource, Viewer, seen_by},
    posts_schema::{
        PostCollectionDocument, PostCreateDocument, PostDocument, PostResource, PostUpdateDocument,
    },
    resources::UsersWithPosts,
};
use crate::{
    api::{
        conditional::{self, Created, Read, Written},
        idempotency::idempotent,
        posts::{
            input::parse_changes,
            resource::{AUTHOR, PostFields, PostInclude, PostSort, Posts},
        },
        v2::resources::UserFields,
        writer::Writer,
    },
    collection::keyset::{Keyset, KeysetPage},
    jsonapi::{
        cursor::{self, CursorPage, PROFILE, PageSize},
        error::{ApiError, Failure, error_statuses},
        links::LinkBase,
        pattern_param::Matching,
        payload::{Fieldset, JsonApi, JsonApiBody},
        query::parse_sort,
        resource::{ResourceType, ServesResource, fieldset, include_paths},
        resource_id::ResourceId,
    },
    posts::{
        entity::Model as Post,
        listing::{Filters, PostListing, SortField},
        service,
    },
    state::AppState,
    users::caller::Caller,
};

pub struct PostsApi;

impl ServesResource for PostsApi {
    type Resource = Posts;
}

error_statuses!(PostReadErrors => [400, 401, 404, 406, 500, 503]);
error_statuses!(PostListErrors => [400, 401, 406, 500, 503]);
error_statuses!(PostCreateErrors => [400, 401, 403, 404, 406, 409, 413, 415, 422, 500, 503]);
error_statuses!(PostUpdateErrors => [400, 401, 403, 404, 406, 409, 412, 413, 415, 422, 428, 500, 503]);
error_statuses!(PostDeleteErrors => [400, 401, 403, 404, 406, 412, 428, 500, 503]);

#[derive(ApiResponse)]
pub enum PostPage {
    /// One page of posts, with cursors to the pages beside it and the exact
    /// total.
    #[oai(status = 200)]
    Ok(JsonApi<PostCollectionDocument>),
}

#[derive(ApiResponse)]
enum PostDeleted {
    /// Deleted.
    #[oai(status = 204)]
    NoContent,
}

/// What a request asks a posts document to show beyond the posts.
pub struct PostsShown {
    include_author: bool,
    fields: Option<Fieldset>,
    user_fields: Option<Fieldset>,
}

impl PostsShown {
    pub fn parse(
        include: &Query<Option<PostInclude>>,
        fields: &Query<Option<PostFields>>,
        user_fields: &Query<Option<UserFields>>,
    ) -> Result<Self, ApiError> {
        Ok(Self {
            include_author: include_paths(include.0.as_ref().map(Matching::as_str))
                .contains(&AUTHOR),
            fields: fieldset::<Posts>(fields.0.as_ref().map(Matching::as_str))?,
            user_fields: fieldset::<UsersWithPosts>(user_fields.0.as_ref().map(Matching::as_str))?,
        })
    }

    /// The authors of `posts`, if asked for.
    async fn included(
        &self,
        viewer: &Viewer<'_>,
        posts: &[Post],
    ) -> Result<Vec<IncludedResource>, ApiError> {
        if self.include_author {
            viewer.authors_of(posts).await
        } else {
            Ok(Vec::new())
        }
    }

    fn apply<T>(self, payload: JsonApi<T>) -> JsonApi<T> {
        payload
            .with_fieldset(self.fields)
            .with_fieldset(self.user_fields)
    }
}

/// The query of a page of posts.
pub struct PageQuery<'a> {
    pub size: Option<PageSize>,
    pub after: Option<&'a str>,
    pub before: Option<&'a str>,
    pub sort: Option<&'a PostSort>,
}

impl PageQuery<'_> {
    /// The listing of the posts that pass `filters` this query asks for,
    /// and the canonical text of its sort, which its cursors carry.
    pub fn listing(&self, filters: Filters) -> Result<(PostListing, &str), ApiError> {
        let sort_text = self.sort.map(Matching::as_str).unwrap_or_default();
        let page = CursorPage::parse(
            self.size.map(|size| size.0),
            self.after,
            self.before,
            sort_text,
        )?;
        let keyset = Keyset {
            sort: match self.sort {
                Some(sort) => parse_sort(sort.as_str(), SortField::parse)?,
                None => Vec::new(),
            },
            size: page.size,
            seek: page.seek,
        };
        Ok((PostListing::new(filters, keyset), sort_text))
    }
}

/// A page of posts as a document: the posts, their authors if asked for,
/// cursors and links.
pub async fn post_page(
    viewer: &Viewer<'_>,
    request: &Request,
    url: &str,
    listing: &PostListing,
    sort_text: &str,
    shown: PostsShown,
    read: Option<(KeysetPage<Post>, u64)>,
) -> Result<PostPage, ApiError> {
    let (listed, total) = read.ok_or_else(|| cursor::unusable_cursor(&listing.keyset.seek))?;
    let (items, links) = cursor::paged(
        &listing.keyset.seek,
        sort_text,
        listed,
        |post| listing.keyset.keys_of(post),
        url,
        request.uri().query().unwrap_or_default(),
    );
    let (posts, cursors): (Vec<Post>, Vec<_>) = items.into_iter().unzip();
    let included = shown.included(viewer, &posts).await?;
    let data = posts
        .into_iter()
        .zip(cursors)
        .map(|(post, cursor)| {
            let mut resource = PostResource::new(post, viewer.base);
            resource.meta.page = Some(cursor.page);
            resource
        })
        .collect();
    let document = PostCollectionDocument::new(data, links, total).with_included(included);
    Ok(PostPage::Ok(
        shown.apply(JsonApi::new(document)).with_profile(PROFILE),
    ))
}

#[OpenApi(tag = "V2Tags::Posts")]
impl PostsApi {
    /// List posts
    ///
    /// One page of posts for any signed-in user, pinned ones first and then
    /// the newest unless `sort` says otherwise. Pages follow the JSON:API
    /// Cursor Pagination profile.
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/posts", method = "get", operation_id = "listPosts")]
    async fn list(
        &self,
        state: Data<&AppState>,
        request: &Request,
        base: LinkBase,
        caller: Caller,
        /// Posts per page, 1 to 100; 20 by default.
        #[oai(name = "page[size]")]
        page_size: Query<Option<PageSize>>,
        /// The posts after this cursor (an item's `meta.page.cursor`, or
        /// the one in `links.next`).
        #[oai(name = "page[after]")]
        page_after: Query<Option<String>>,
        /// The posts before this cursor (as in `links.prev`).
        #[oai(name = "page[before]")]
        page_before: Query<Option<String>>,
        /// Comma-separated fields among `created_at`, `updated_at`, `title`
        /// and `pinned`, each prefixed with `-` for descending order;
        /// `-pinned,-created_at` by default.
        sort: Query<Option<PostSort>>,
        /// Posts by this user (an id).
        #[oai(name = "filter[author]")]
        filter_author: Query<Option<i64>>,
        /// Pinned posts only, or unpinned ones only.
        #[oai(name = "filter[pinned]")]
        filter_pinned: Query<Option<bool>>,
        /// Posts whose title or body contains this, case-insensitively.
        #[oai(name = "filter[q]")]
        filter_q: Query<Option<String>>,
        /// Comma-separated fields of posts to show; the others are left out.
        #[oai(name = "fields[posts]")]
        fields: Query<Option<PostFields>>,
        /// Comma-separated fields of included users to show.
        #[oai(name = "fields[users]")]
        user_fields: Query<Option<UserFields>>,
        /// `author` to include each post's author.
        include: Query<Option<PostInclude>>,
    ) -> Result<PostPage, Failure<PostListErrors>> {
        let shown = PostsShown::parse(&include, &fields, &user_fields)?;
        let query = PageQuery {
            size: page_size.0,
            after: page_after.0.as_deref(),
            before: page_before.0.as_deref(),
            sort: sort.0.as_ref(),
        };
        let filters = Filters {
            author: filter_author.0,
            pinned: filter_pinned.0,
            q: filter_q.0,
        };
        let (listing, sort_text) = query.listing(filters)?;
        let read = service::list(&state.db, &listing).await?;
        let seen = seen_by(&caller);
        let viewer = Viewer::of(&state, &base, &seen);
        let url = base.collection(Posts::TYPE);
        Ok(post_page(&viewer, request, &url, &listing, sort_text, shown, read).await?)
    }

    /// Write a post
    ///
    /// Any signed-in user may write a post; its author is the caller. Only
    /// an admin may name another author.
    #[oai(
        path = "/posts",
        method = "post",
        operation_id = "createPost",
        transform = "idempotent"
    )]
    async fn create(
        &self,
        writer: Writer,
        base: LinkBase,
        caller: Caller,
        /// A key of your choosing, a UUID say, that makes a retry safe: a
        /// request sent again with the same key and body gets the first
        /// answer back, and no post is written twice.
        #[oai(name = "Idempotency-Key")]
        _idempotency_key: Header<Option<String>>,
        body: JsonApiBody<PostCreateDocument>,
    ) -> Result<Created<PostDocument>, Failure<PostCreateErrors>> {
        let post = service::create_for(&writer.db(), &caller, body.0).await?;
        let location = base.resource(Posts::TYPE, post.id);
        let version = post.version;
        let document = PostDocument::new(PostResource::new(post, &base), location.clone());
        Ok(Created::new(JsonApi::new(document), location, version))
    }

    /// Read a post
    ///
    /// Any signed-in user may read any post; `include=author` adds its
    /// author to `included`, as the public-profile rule lets the caller see
    /// them.
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/posts/:id", method = "get", operation_id = "getPost")]
    async fn read(
        &self,
        state: Data<&AppState>,
        /// The post's id.
        id: Path<ResourceId<V2>>,
        base: LinkBase,
        caller: Caller,
        /// Comma-separated fields of posts to show; the others are left out.
        #[oai(name = "fields[posts]")]
        fields: Query<Option<PostFields>>,
        /// Comma-separated fields of the included author to show.
        #[oai(name = "fields[users]")]
        user_fields: Query<Option<UserFields>>,
        /// `author` to include the post's author.
        include: Query<Option<PostInclude>>,
        /// The `ETag` of the copy you hold: 304 while it is current.
        #[oai(name = "If-None-Match")]
        if_none_match: Header<Option<String>>,
    ) -> Result<Read<PostDocument>, Failure<PostReadErrors>> {
        let shown = PostsShown::parse(&include, &fields, &user_fields)?;
        let post = service::find(&state.db, id.0.0).await?;
        let version = post.version;
        if let Some(unchanged) = Read::unchanged(if_none_match.0.as_deref(), version) {
            return Ok(unchanged);
        }
        let seen = seen_by(&caller);
        let viewer = Viewer::of(&state, &base, &seen);
        let included = shown.included(&viewer, std::slice::from_ref(&post)).await?;
        let resource = PostResource::new(post, &base);
        let self_link = resource.links.self_.clone();
        let document = PostDocument::new(resource, self_link).with_included(included);
        Ok(Read::new(shown.apply(JsonApi::new(document)), version))
    }

    /// Update a post
    ///
    /// Its author or an admin may change a post; only the attributes sent
    /// change. Only an admin may name another author.
    #[oai(path = "/posts/:id", method = "patch", operation_id = "updatePost")]
    async fn update(
        &self,
        state: Data<&AppState>,
        /// The post's id.
        id: Path<ResourceId<V2>>,
        base: LinkBase,
        caller: Caller,
        /// The `ETag` of the post as you read it: the change applies only
        /// while the post is at that version (412 otherwise).
        #[oai(name = "If-Match")]
        if_match: Header<Option<String>>,
        body: JsonApiBody<PostUpdateDocument>,
    ) -> Result<Written<PostDocument>, Failure<PostUpdateErrors>> {
        let expected = conditional::expected(&state, if_match.0.as_deref())?;
        let changes = parse_changes(body.0, id.0.0)?;
        let post = service::update_for(&state.db, &caller, id.0.0, &expected, changes).await?;
        let version = post.version;
        let resource = PostResource::new(post, &base);
        let self_link = resource.links.self_.clone();
        let document = JsonApi::new(PostDocument::new(resource, self_link));
        Ok(Written::new(document, version))
    }

    /// Delete a post
    ///
    /// Its author or an admin may delete a post.
    #[oai(path = "/posts/:id", method = "delete", operation_id = "deletePost")]
    async fn delete(
        &self,
        state: Data<&AppState>,
        /// The post's id.
        id: Path<ResourceId<V2>>,
        caller: Caller,
        /// The `ETag` of the post as you read it: the post is deleted only
        /// while at that version (412 otherwise).
        #[oai(name = "If-Match")]
        if_match: Header<Option<String>>,
    ) -> Result<PostDeleted, Failure<PostDeleteErrors>> {
        let expected = conditional::expected(&state, if_match.0.as_deref())?;
        service::delete_for(&state.db, &caller, id.0.0, &expected).await?;
        Ok(PostDeleted::NoContent)
    }
}
