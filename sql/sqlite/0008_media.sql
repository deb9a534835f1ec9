-- Echo storage schema, version 8, SQLite dialect: photos, photo sizes, documents and peer
-- (profile / chat) photos. Mirrors sql/mysql/0008_media.sql; crates/storage/src/media.rs
-- documents the tables. The bytes themselves live in the dfs (crates/dfs).

CREATE TABLE media_photos (
    id             INTEGER NOT NULL PRIMARY KEY,
    access_hash    INTEGER NOT NULL,
    file_reference BLOB    NOT NULL,
    owner_id       INTEGER NOT NULL,
    date           INTEGER NOT NULL,
    dc_id          INTEGER NOT NULL
);

CREATE TABLE media_documents (
    id             INTEGER NOT NULL PRIMARY KEY,
    access_hash    INTEGER NOT NULL,
    file_reference BLOB    NOT NULL,
    owner_id       INTEGER NOT NULL,
    date           INTEGER NOT NULL,
    dc_id          INTEGER NOT NULL,
    mime_type      TEXT    NOT NULL,
    size           INTEGER NOT NULL,
    bucket         TEXT    NOT NULL,
    object_key     TEXT    NOT NULL,
    attributes     BLOB    NULL
);

CREATE TABLE media_sizes (
    owner_kind INTEGER NOT NULL,
    owner_id   INTEGER NOT NULL,
    kind       TEXT    NOT NULL,
    width      INTEGER NOT NULL,
    height     INTEGER NOT NULL,
    size       INTEGER NOT NULL,
    bucket     TEXT    NOT NULL,
    object_key TEXT    NOT NULL,
    bytes      BLOB    NULL,
    PRIMARY KEY (owner_kind, owner_id, kind)
);

CREATE TABLE peer_photos (
    peer_type INTEGER NOT NULL,
    peer_id   INTEGER NOT NULL,
    photo_id  INTEGER NOT NULL,
    date      INTEGER NOT NULL,
    seq       INTEGER NOT NULL,
    PRIMARY KEY (peer_type, peer_id, photo_id)
);
CREATE INDEX peer_photos_by_seq ON peer_photos (peer_type, peer_id, seq);
