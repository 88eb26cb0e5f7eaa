//! ridscope: an open drone ID receiver and analyzer.
//!
//! Pipeline: source → channelize → PHY demod → [`frame::Frame`] → link
//! ([`link`]) → protocol decode ([`protocol`]) → track → sinks/TUI.

#![forbid(unsafe_code)]

#[macro_use]
pub mod util;
pub mod error;
pub mod frame;
pub mod pcap;
pub mod protocol;
