//! DJI DroneID on OcuSync: the LTE-like OFDM burst (spec `dji-droneid.md`).
//!
//! - [`burst`]: numerology, symbol positions, Zadoff-Chu references;
//! - [`tx`]: the burst modulator (synthesizer, tests);
//! - [`coding`]: turbo code, rate matching, scrambling of the 176-byte block;
//! - [`rx`]: one burst from a window of samples to soft bits;
//! - [`receiver`]: the streaming detector and decoder.

pub mod burst;
pub mod coding;
pub mod receiver;
pub mod rx;
pub mod tx;

pub use receiver::{OcuStats, OcusyncReceiver};

#[cfg(test)]
mod tests;
