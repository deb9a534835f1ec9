//! authsession
