//! /health/live and /health/ready: for load balancers and orchestrators.

use reqwest::StatusCode;

use crate::helpers::{send, spawn_app};

#[tokio::test]
async fn the_service_is_live() {
    // Arrange
    let app = spawn_app().await;

    // Act
    let response = send(app.client.get(app.url("/health/live"))).await;

    // Assert
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
}

#[tokio::test]
async fn the_service_is_ready_while_its_database_is_up() {
    // Arrange
    let app = spawn_app().await;

    // Act
    let response = send(app.client.get(app.url("/health/ready"))).await;

    // Assert
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
}
