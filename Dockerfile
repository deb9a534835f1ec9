FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release -p echod

FROM debian:bookworm-slim
COPY --from=build /src/target/release/echod /usr/local/bin/echod
EXPOSE 10443 8801
ENTRYPOINT []
