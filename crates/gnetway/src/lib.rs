//! gnetway
