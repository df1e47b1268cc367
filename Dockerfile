# Build stage: the release binary.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin users-service

# Run stage: the binary alone, as a non-root user. Debian already has a group
# named `users` (GID 100), so the account is `users-service`, with its own group.
# ca-certificates follows Debian's security updates, so its version is not pinned.
FROM debian:bookworm-slim
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid 10001 users-service \
    && useradd --uid 10001 --gid users-service --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin users-service \
    && install -d -o users-service -g users-service /var/lib/users-service
COPY --from=build /src/target/release/users-service /usr/local/bin/users-service
# Without DATABASE_URL the service makes users.sqlite in its working directory:
# one the user may write. Inside a container it must listen beyond loopback.
WORKDIR /var/lib/users-service
ENV LISTEN_ADDR=0.0.0.0:8080
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/users-service"]
CMD ["serve"]
