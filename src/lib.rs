//! nomadicml-web: a browser SDK for the NomadicML video-analysis API.
//!
//! The SDK proper lands with the "SDK spine" issue; this crate already builds for
//! `wasm32-unknown-unknown` so that the workspace, the toolchain install and CI are proven first.

/// The SDK version sent as `X-Client-Version`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
