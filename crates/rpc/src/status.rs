//! Errors both ways between the service traits and tonic `Status` (the qdrant pattern): a
//! server turns a service error into a Status whose code says what kind it is, and the client
//! turns it back into the same service error, so callers cannot tell a remote service from a
//! local one. Transport failures (the peer process is down) become the "unavailable" flavour
//! of each error type.

use echo_authsession::AuthSessionError;
use echo_msg::MsgError;
use echo_storage::StorageError;
use echo_sync::SyncError;
use tonic::{Code, Status};

/// Metadata key carrying the exact variant of an error.
const KIND: &str = "echo-error";

fn with_kind(code: Code, kind: &str, message: String) -> Status {
    let mut status = Status::new(code, message);
    if let Ok(value) = kind.parse() {
        status.metadata_mut().insert(KIND, value);
    }
    status
}

fn kind_of(status: &Status) -> &str {
    status
        .metadata()
        .get(KIND)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

pub fn storage_to_status(e: &StorageError) -> Status {
    let (code, kind) = match e {
        StorageError::NotFound => (Code::NotFound, "not-found"),
        StorageError::Conflict(_) => (Code::AlreadyExists, "conflict"),
        StorageError::InvalidArgument(_) => (Code::InvalidArgument, "invalid-argument"),
        StorageError::Busy(_) => (Code::Aborted, "busy"),
        StorageError::BadUrl(_) | StorageError::Migration { .. } | StorageError::Database(_) => {
            (Code::Internal, "database")
        }
    };
    // The bare detail: the client rebuilds the variant, whose Display adds the prefix.
    let detail = match e {
        StorageError::Conflict(m)
        | StorageError::InvalidArgument(m)
        | StorageError::Busy(m)
        | StorageError::Database(m) => m.clone(),
        other => other.to_string(),
    };
    with_kind(code, kind, detail)
}

pub fn storage_from_status(s: &Status) -> StorageError {
    let message = s.message().to_owned();
    match (kind_of(s), s.code()) {
        ("not-found", _) => StorageError::NotFound,
        ("conflict", _) => StorageError::Conflict(message),
        ("invalid-argument", _) => StorageError::InvalidArgument(message),
        ("busy", _) => StorageError::Busy(message),
        (_, Code::Unavailable) => StorageError::Database(format!("service unavailable: {message}")),
        _ => StorageError::Database(message),
    }
}

pub fn authsession_to_status(e: &AuthSessionError) -> Status {
    match e {
        AuthSessionError::Storage(s) => storage_to_status(s),
        AuthSessionError::UnknownKey(id) => {
            with_kind(Code::NotFound, "unknown-key", id.to_string())
        }
    }
}

pub fn authsession_from_status(s: &Status) -> AuthSessionError {
    if kind_of(s) == "unknown-key" {
        if let Ok(id) = s.message().parse() {
            return AuthSessionError::UnknownKey(id);
        }
    }
    AuthSessionError::Storage(storage_from_status(s))
}

pub fn msg_to_status(e: &MsgError) -> Status {
    match e {
        MsgError::NotFound => with_kind(Code::NotFound, "msg-not-found", e.to_string()),
        MsgError::NotAuthor => with_kind(Code::PermissionDenied, "not-author", e.to_string()),
        MsgError::Storage(s) => storage_to_status(s),
    }
}

pub fn msg_from_status(s: &Status) -> MsgError {
    match kind_of(s) {
        "msg-not-found" => MsgError::NotFound,
        "not-author" => MsgError::NotAuthor,
        _ => MsgError::Storage(storage_from_status(s)),
    }
}

pub fn sync_from_status(s: &Status) -> SyncError {
    SyncError::Unavailable(format!("{:?}: {}", s.code(), s.message()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_survive_the_round_trip() {
        for e in [
            StorageError::NotFound,
            StorageError::Conflict("phone".into()),
            StorageError::InvalidArgument("x".into()),
            StorageError::Busy("deadlock".into()),
        ] {
            let back = storage_from_status(&storage_to_status(&e));
            assert_eq!(back.to_string(), e.to_string());
        }
        let back =
            authsession_from_status(&authsession_to_status(&AuthSessionError::UnknownKey(-7)));
        assert!(matches!(back, AuthSessionError::UnknownKey(-7)));
        assert!(matches!(
            msg_from_status(&msg_to_status(&MsgError::NotAuthor)),
            MsgError::NotAuthor
        ));
        assert!(matches!(
            msg_from_status(&msg_to_status(&MsgError::NotFound)),
            MsgError::NotFound
        ));
        let down = Status::unavailable("connection refused");
        assert!(matches!(
            storage_from_status(&down),
            StorageError::Database(_)
        ));
    }
}
