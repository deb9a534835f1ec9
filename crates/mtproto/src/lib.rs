//! mtproto
