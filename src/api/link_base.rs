//! The base of the links in an answer, as handlers take it.

use poem::{FromRequest, Request, RequestBody};

use crate::{
    jsonapi::links::{LinkBase, UrlLayout},
    state::AppState,
};

/// Links in responses are built from the app's
/// [`PublicUrl`](crate::platform::public_url::PublicUrl), inside the version
/// that answers.
impl<'a> FromRequest<'a> for LinkBase {
    async fn from_request(request: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        let base = AppState::of(request)?.public_url.link_base(request);
        Ok(match request.data::<UrlLayout>() {
            Some(layout) => base.within(*layout),
            None => base,
        })
    }
}
