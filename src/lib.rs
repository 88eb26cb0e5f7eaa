//! ridscope: an open drone ID receiver and analyzer.
//!
//! Pipeline: source ([`source`]) → channelize → PHY demod → [`frame::Frame`] → link
//! ([`link`]) → protocol decode ([`protocol`], [`decode`]) → track ([`track`]) →
//! sinks ([`sink`]) / TUI. Recorded frames come back in through [`pcap`].

#![forbid(unsafe_code)]

#[macro_use]
pub mod util;
pub mod alert;
pub mod cli;
pub mod decode;
pub mod error;
pub mod frame;
pub mod link;
pub mod pcap;
pub mod phy;
pub mod pipeline;
pub mod protocol;
pub mod report;
pub mod sink;
pub mod source;
pub mod synth;
pub mod track;
pub mod tui;
pub mod watch;
