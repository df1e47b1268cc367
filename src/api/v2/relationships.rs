//! Version 2's relationship and related-resource endpoints: a user's posts,
//! a post's author, and their linkage. A post's author is changed on the
//! post (by an admin, through its relationship); a user's posts cannot be
//! changed through the user.

use poem::{Request, web::Data};
use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Header, Path, Query},
};

use super::{
    V2, V2Tags,
    included::{Viewer, seen_by},
    posts::{PageQuery, PostPage, PostsShown, post_page},
    posts_schema::{
        AuthorLinkageDocument, AuthorLinkageRequest, PostIdentifier, PostIdentifierItem,
        PostLinkageCollectionDocument,
    },
    resources::{POSTS, UserFields},
    schema::UserDocument,
};
use crate::{
    api::{
        conditional,
        posts::resource::{PostFields, PostInclude, PostSort, Posts},
        users::resource::Users,
    },
    jsonapi::{
        cursor::{self, PROFILE, PageSize},
        error::{ApiError, Failure, error_statuses},
        links::LinkBase,
        payload::{JsonApi, JsonApiBody},
        relationship::RelationshipLinks,
        resource::{ResourceType, ServesResource},
        resource_id::ResourceId,
    },
    posts::{listing::Filters, service},
    state::AppState,
    users::{caller::Caller, store},
};

pub struct RelationshipsApi;

impl ServesResource for RelationshipsApi {
    type Resource = Posts;
}

error_statuses!(RelatedErrors => [400, 401, 404, 406, 500, 503]);
error_statuses!(ChangeAuthorErrors => [400, 401, 403, 404, 406, 409, 412, 413, 415, 428, 500, 503]);
error_statuses!(UsersPostsErrors => [401, 403, 404, 406, 500, 503]);

#[derive(ApiResponse)]
enum PostLinkagePage {
    /// One page of linkage to the user's posts.
    #[oai(status = 200)]
    Ok(JsonApi<PostLinkageCollectionDocument>),
}

#[derive(ApiResponse)]
enum AuthorLinkage {
    /// The post's author.
    #[oai(status = 200)]
    Ok(JsonApi<AuthorLinkageDocument>),
}

#[derive(ApiResponse)]
enum Author {
    /// The post's author: every attribute for themselves and admins, the
    /// public profile for anyone else.
    #[oai(status = 200)]
    Ok(JsonApi<UserDocument>),
}

#[OpenApi(tag = "V2Tags::Posts")]
impl RelationshipsApi {
    /// List a user's posts
    ///
    /// One page of the user's posts, pinned ones first and then the newest
    /// unless `sort` says otherwise.
    #[allow(clippy::too_many_arguments)]
    #[oai(
        path = "/users/:id/posts",
        method = "get",
        operation_id = "listUserPosts"
    )]
    async fn user_posts(
        &self,
        state: Data<&AppState>,
        request: &Request,
        /// The user's id.
        id: Path<ResourceId<V2>>,
        base: LinkBase,
        caller: Caller,
        /// Posts per page, 1 to 100; 20 by default.
        #[oai(name = "page[size]")]
        page_size: Query<Option<PageSize>>,
        /// The posts after this cursor.
        #[oai(name = "page[after]")]
        page_after: Query<Option<String>>,
        /// The posts before this cursor.
        #[oai(name = "page[before]")]
        page_before: Query<Option<String>>,
        /// As on `/posts`; `-pinned,-created_at` by default.
        sort: Query<Option<PostSort>>,
        /// Comma-separated fields of posts to show; the others are left out.
        #[oai(name = "fields[posts]")]
        fields: Query<Option<PostFields>>,
        /// Comma-separated fields of the included author to show.
        #[oai(name = "fields[users]")]
        user_fields: Query<Option<UserFields>>,
        /// `author` to include the posts' author.
        include: Query<Option<PostInclude>>,
    ) -> Result<PostPage, Failure<RelatedErrors>> {
        let shown = PostsShown::parse(&include, &fields, &user_fields)?;
        let query = PageQuery {
            size: page_size.0,
            after: page_after.0.as_deref(),
            before: page_before.0.as_deref(),
            sort: sort.0.as_ref(),
        };
        let (mut listing, sort_text) = query.listing(Filters::default())?;
        let read = service::list_by(&state.db, id.0.0, &mut listing).await?;
        let seen = seen_by(&caller);
        let viewer = Viewer::of(&state, &base, &seen);
        let url = RelationshipLinks::of(&base, Users::TYPE, id.0.0, POSTS).related;
        Ok(post_page(&viewer, request, &url, &listing, sort_text, shown, read).await?)
    }

    /// List linkage to a user's posts
    ///
    /// One page of the user's posts as resource identifiers, in the
    /// default order.
    #[allow(clippy::too_many_arguments)]
    #[oai(
        path = "/users/:id/relationships/posts",
        method = "get",
        operation_id = "listUserPostsLinkage"
    )]
    async fn user_posts_linkage(
        &self,
        state: Data<&AppState>,
        request: &Request,
        /// The user's id.
        id: Path<ResourceId<V2>>,
        base: LinkBase,
        _caller: Caller,
        /// Identifiers per page, 1 to 100; 20 by default.
        #[oai(name = "page[size]")]
        page_size: Query<Option<PageSize>>,
        /// The posts after this cursor.
        #[oai(name = "page[after]")]
        page_after: Query<Option<String>>,
        /// The posts before this cursor.
        #[oai(name = "page[before]")]
        page_before: Query<Option<String>>,
    ) -> Result<PostLinkagePage, Failure<RelatedErrors>> {
        let query = PageQuery {
            size: page_size.0,
            after: page_after.0.as_deref(),
            before: page_before.0.as_deref(),
            sort: None,
        };
        let (mut listing, sort_text) = query.listing(Filters::default())?;
        let (listed, total) = service::list_by(&state.db, id.0.0, &mut listing)
            .await?
            .ok_or_else(|| cursor::unusable_cursor(&listing.keyset.seek))?;
        let url = RelationshipLinks::of(&base, Users::TYPE, id.0.0, POSTS).self_;
        let (items, links) = cursor::paged(
            &listing.keyset.seek,
            sort_text,
            listed,
            |post| listing.keyset.keys_of(post),
            &url,
            request.uri().query().unwrap_or_default(),
        );
        let data = items
            .into_iter()
            .map(|(post, meta)| {
                let identifier = PostIdentifier::new(post.id);
                PostIdentifierItem {
                    kind: identifier.kind,
                    id: identifier.id,
                    meta,
                }
            })
            .collect();
        let document = PostLinkageCollectionDocument::new(data, links, total);
        Ok(PostLinkagePage::Ok(
            JsonApi::new(document).with_profile(PROFILE),
        ))
    }

    /// Add to a user's posts: refused
    ///
    /// A post's author is changed on the post, by an admin: always 403.
    #[oai(
        path = "/users/:id/relationships/posts",
        method = "post",
        operation_id = "addUserPostsLinkage"
    )]
    async fn add_user_posts(
        &self,
        state: Data<&AppState>,
        /// The user's id.
        id: Path<ResourceId<V2>>,
        _caller: Caller,
    ) -> Failure<UsersPostsErrors> {
        service::refuse_users_posts_change(&state.db, id.0.0)
            .await
            .into()
    }

    /// Replace a user's posts: refused
    ///
    /// A post's author is changed on the post, by an admin: always 403.
    #[oai(
        path = "/users/:id/relationships/posts",
        method = "patch",
        operation_id = "replaceUserPostsLinkage"
    )]
    async fn replace_user_posts(
        &self,
        state: Data<&AppState>,
        /// The user's id.
        id: Path<ResourceId<V2>>,
        _caller: Caller,
    ) -> Failure<UsersPostsErrors> {
        service::refuse_users_posts_change(&state.db, id.0.0)
            .await
            .into()
    }

    /// Remove from a user's posts: refused
    ///
    /// A post's author is changed on the post, by an admin: always 403.
    #[oai(
        path = "/users/:id/relationships/posts",
        method = "delete",
        operation_id = "removeUserPostsLinkage"
    )]
    async fn remove_user_posts(
        &self,
        state: Data<&AppState>,
        /// The user's id.
        id: Path<ResourceId<V2>>,
        _caller: Caller,
    ) -> Failure<UsersPostsErrors> {
        service::refuse_users_posts_change(&state.db, id.0.0)
            .await
            .into()
    }

    /// Read a post's author
    ///
    /// The author as any signed-in user sees them: the public profile, or
    /// every attribute for themselves and admins.
    #[oai(
        path = "/posts/:id/author",
        method = "get",
        operation_id = "getPostAuthor"
    )]
    async fn author(
        &self,
        state: Data<&AppState>,
        /// The post's id.
        id: Path<ResourceId<V2>>,
        base: LinkBase,
        caller: Caller,
        /// Comma-separated fields of users to show; the others are left out.
        #[oai(name = "fields[users]")]
        fields: Query<Option<UserFields>>,
    ) -> Result<Author, Failure<RelatedErrors>> {
        let fields = crate::jsonapi::resource::fieldset::<super::resources::UsersWithPosts>(
            fields
                .0
                .as_ref()
                .map(crate::jsonapi::pattern_param::Matching::as_str),
        )?;
        let post = service::find(&state.db, id.0.0).await?;
        let author = store::find_all(&state.db, [post.author_id])
            .await?
            .pop()
            .ok_or_else(|| ApiError::NotFound(format!("there is no user {}", post.author_id)))?;
        let seen = seen_by(&caller);
        let viewer = Viewer::of(&state, &base, &seen);
        let resource = viewer
            .users(vec![author.into()])
            .await?
            .pop()
            .ok_or_else(|| ApiError::internal("an author went missing"))?;
        let self_link = RelationshipLinks::of(&base, Posts::TYPE, post.id, "author").related;
        Ok(Author::Ok(
            JsonApi::new(UserDocument::new(resource, self_link)).with_fieldset(fields),
        ))
    }

    /// Read a post's author linkage
    ///
    /// The post's author as a resource identifier, for any signed-in user.
    #[oai(
        path = "/posts/:id/relationships/author",
        method = "get",
        operation_id = "getPostAuthorLinkage"
    )]
    async fn author_linkage(
        &self,
        state: Data<&AppState>,
        /// The post's id.
        id: Path<ResourceId<V2>>,
        base: LinkBase,
        _caller: Caller,
    ) -> Result<AuthorLinkage, Failure<RelatedErrors>> {
        let post = service::find(&state.db, id.0.0).await?;
        Ok(AuthorLinkage::Ok(JsonApi::new(AuthorLinkageDocument::new(
            &post, &base,
        ))))
    }

    /// Change a post's author
    ///
    /// Admins only. Naming a user that does not exist is 404.
    #[oai(
        path = "/posts/:id/relationships/author",
        method = "patch",
        operation_id = "changePostAuthor"
    )]
    async fn change_author(
        &self,
        state: Data<&AppState>,
        /// The post's id.
        id: Path<ResourceId<V2>>,
        base: LinkBase,
        caller: Caller,
        /// The `ETag` of the post as you read it: the author changes only
        /// while the post is at that version (412 otherwise).
        #[oai(name = "If-Match")]
        if_match: Header<Option<String>>,
        body: JsonApiBody<AuthorLinkageRequest>,
    ) -> Result<AuthorLinkage, Failure<ChangeAuthorErrors>> {
        let expected = conditional::expected(&state, if_match.0.as_deref())?;
        let post =
            service::change_author_for(&state.db, &caller, id.0.0, &expected, body.0).await?;
        Ok(AuthorLinkage::Ok(JsonApi::new(AuthorLinkageDocument::new(
            &post, &base,
        ))))
    }
}
