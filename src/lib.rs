//! nomadicml-web: a browser SDK for the NomadicML video-analysis API.
//!
//! Layers, one way for data to flow: `client` (the JS surface, conversions only) -> `api`
//! (the protocol, pure Rust) -> `transport` (retries; `transport::web` is the only code that
//! touches fetch, XHR and timers) -> the network, and back. Errors are one Rust enum
//! (`error::Error`) until `client` turns them into JS error classes.

pub mod api;
pub mod error;
pub mod join;
pub mod probe;
pub mod transport;
pub mod value;

#[cfg(target_arch = "wasm32")]
mod client;
#[cfg(target_arch = "wasm32")]
mod convert;
#[cfg(target_arch = "wasm32")]
mod options;

#[cfg(target_arch = "wasm32")]
pub use client::{default_odd_columns, probe_video, NomadicClient};

/// A smaller allocator than the default dlmalloc (the SDK's allocations are short-lived and
/// few); it takes memory from the wasm instance as it needs it.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// The SDK version sent as `X-Client-Version`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
