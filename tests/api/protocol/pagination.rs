//! Pagination links, for every resource type: following `next` from the
//! first page visits every resource once, links are absolute and keep the
//! request's other parameters, and `prev` leads back.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::Value;

use super::{Served, served};
use crate::helpers::TestApp;
use crate::jsonapi_schema::assert_jsonapi;

/// The page at `url` (absolute), which must be a 200 JSON:API document.
async fn page_at(app: &TestApp, served: &Served, url: &str, token: &str) -> Value {
    let response = crate::helpers::send(
        app.client
            .get(url)
            .bearer_auth(token)
            .header("accept", crate::helpers::JSONAPI_MEDIA_TYPE),
    )
    .await;
    assert_eq!(
        response.status,
        StatusCode::OK,
        "{}: {url}: {}",
        served.name,
        response.text
    );
    assert_jsonapi(&response)
}

fn ids_of(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .expect("a page holds an array")
        .iter()
        .map(|item| item["id"].as_str().expect("an id").to_owned())
        .collect()
}

/// A link that leads somewhere, or `None` where the page has no such
/// neighbour (absent in v1, null in v2).
fn link(page: &Value, name: &str) -> Option<String> {
    page["links"][name].as_str().map(str::to_owned)
}

#[tokio::test]
async fn following_next_from_the_first_page_visits_every_resource_once() {
    for served in served() {
        // Arrange
        let (app, seeded) = served.spawn(6).await;
        let first = app.url(&format!(
            "{}?page[size]=2&sort=-id&fields[{}]={}",
            served.collection, served.kind, served.attributes[0]
        ));

        // Act
        let mut seen = Vec::new();
        let mut next = Some(first);
        let mut pages = 0;
        let mut total = 0;
        while let Some(url) = next {
            let page = page_at(&app, &served, &url, &seeded.token).await;
            seen.extend(ids_of(&page));
            total = served.total(&page);
            next = link(&page, "next");
            if let Some(next) = &next {
                assert!(next.starts_with(&app.address), "{}: {next}", served.name);
                for kept in ["sort=-id", "page%5Bsize%5D=2", "fields%5B"] {
                    assert!(next.contains(kept), "{}: {next} keeps {kept}", served.name);
                }
            }
            pages += 1;
            assert!(pages <= 10, "{}: the walk ends", served.name);
        }

        // Assert
        let distinct: BTreeSet<&String> = seen.iter().collect();
        assert_eq!(
            distinct.len(),
            seen.len(),
            "{}: no repeats in {seen:?}",
            served.name
        );
        assert_eq!(
            seen.len() as u64,
            total,
            "{}: every one of {total}",
            served.name
        );
        let mut expected: Vec<String> = seeded.ids.iter().map(ToString::to_string).collect();
        expected.sort_by_key(|id| std::cmp::Reverse(id.parse::<i64>().unwrap()));
        assert_eq!(seen, expected, "{}: in the asked order", served.name);
    }
}

#[tokio::test]
async fn prev_from_the_second_page_leads_back_to_the_first() {
    for served in served() {
        // Arrange
        let (app, seeded) = served.spawn(5).await;
        let first_url = app.url(&format!("{}?page[size]=2", served.collection));
        let first = page_at(&app, &served, &first_url, &seeded.token).await;
        let second_url = link(&first, "next").expect("a next page");
        let second = page_at(&app, &served, &second_url, &seeded.token).await;

        // Act
        let back_url = link(&second, "prev").expect("a previous page");
        let back = page_at(&app, &served, &back_url, &seeded.token).await;

        // Assert
        assert_eq!(ids_of(&back), ids_of(&first), "{}", served.name);
        assert!(
            link(&first, "prev").is_none(),
            "{}: the first page has no prev",
            served.name
        );
        assert!(back_url.starts_with(&app.address), "{}", served.name);
    }
}

#[tokio::test]
async fn the_last_page_has_no_next_and_says_the_total() {
    for served in served() {
        // Arrange
        let (app, seeded) = served.spawn(2).await;
        let url = app.url(&format!("{}?page[size]=100", served.collection));

        // Act
        let page = page_at(&app, &served, &url, &seeded.token).await;

        // Assert
        assert!(link(&page, "next").is_none(), "{}: {page}", served.name);
        assert_eq!(
            served.total(&page),
            seeded.ids.len() as u64,
            "{}",
            served.name
        );
        assert_eq!(ids_of(&page).len(), seeded.ids.len(), "{}", served.name);
        let self_link = link(&page, "self").expect("a self link");
        assert!(self_link.starts_with(&app.address), "{}", served.name);
    }
}
