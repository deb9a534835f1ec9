# One image for every role: `echod run` (all in one) or `echod gnetway|session|bff|msg|sync|
# authsession` (split deployment, docker-compose.yaml). protoc is needed by the gRPC crates.
FROM rust:1-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends protobuf-compiler \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p echod --features cluster

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/target/release/echod /usr/local/bin/echod
COPY etc /etc/echo
EXPOSE 10443 8801 7100
CMD ["echod", "run", "--data-dir", "/data"]
