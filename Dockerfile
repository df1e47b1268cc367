# Build stage: the release binary.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin users-service

# Run stage: the binary alone, as a non-root user.
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home /nonexistent --shell /usr/sbin/nologin users
COPY --from=build /src/target/release/users-service /usr/local/bin/users-service
USER 10001
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/users-service"]
CMD ["serve"]
