//! Layer transcoding (placeholder, being written).
