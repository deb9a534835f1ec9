-- Echo storage schema, version 8, MySQL/MariaDB dialect: photos, photo sizes, documents and
-- peer (profile / chat) photos. Mirrors sql/sqlite/0008_media.sql; crates/storage/src/media.rs
-- documents the tables. The bytes themselves live in the dfs (crates/dfs).

CREATE TABLE media_photos (
    id             BIGINT NOT NULL PRIMARY KEY,
    access_hash    BIGINT NOT NULL,
    file_reference BLOB   NOT NULL,
    owner_id       BIGINT NOT NULL,
    date           BIGINT NOT NULL,
    dc_id          INT    NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE media_documents (
    id             BIGINT       NOT NULL PRIMARY KEY,
    access_hash    BIGINT       NOT NULL,
    file_reference BLOB         NOT NULL,
    owner_id       BIGINT       NOT NULL,
    date           BIGINT       NOT NULL,
    dc_id          INT          NOT NULL,
    mime_type      VARCHAR(255) NOT NULL,
    size           BIGINT       NOT NULL,
    bucket         VARCHAR(32)  NOT NULL,
    object_key     VARCHAR(255) NOT NULL,
    attributes     BLOB         NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE media_sizes (
    owner_kind INT          NOT NULL,
    owner_id   BIGINT       NOT NULL,
    kind       VARCHAR(8)   NOT NULL,
    width      INT          NOT NULL,
    height     INT          NOT NULL,
    size       INT          NOT NULL,
    bucket     VARCHAR(32)  NOT NULL,
    object_key VARCHAR(255) NOT NULL,
    bytes      BLOB         NULL,
    PRIMARY KEY (owner_kind, owner_id, kind)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE peer_photos (
    peer_type INT    NOT NULL,
    peer_id   BIGINT NOT NULL,
    photo_id  BIGINT NOT NULL,
    date      BIGINT NOT NULL,
    seq       BIGINT NOT NULL,
    PRIMARY KEY (peer_type, peer_id, photo_id),
    INDEX peer_photos_by_seq (peer_type, peer_id, seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
