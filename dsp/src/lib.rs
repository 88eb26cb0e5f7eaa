//! `ridscope-dsp`: protocol-free signal processing and channel coding kernels.
//!
//! Nothing in this crate knows about drones, Remote ID or DJI: it holds the
//! reusable building blocks (CRCs today; mixers, filters, resamplers,
//! channelizers, correlators and FEC decoders as the receivers arrive).
//! Every kernel has a reference test against an independent, obviously
//! correct implementation, and a criterion bench in `benches/`.

#![forbid(unsafe_code)]

pub mod crc;
pub mod gfsk;
