//! ridscope: an open drone ID receiver and analyzer.
//!
//! Pipeline: source → channelize → PHY demod → [`frame::Frame`] → link
//! ([`link`]) → protocol decode ([`protocol`], [`decode`]) → track →
//! sinks ([`sink`]) / TUI.

#![forbid(unsafe_code)]

#[macro_use]
pub mod util;
pub mod cli;
pub mod decode;
pub mod error;
pub mod frame;
pub mod link;
pub mod protocol;
pub mod sink;
