//! 802.11b DSSS PHY (long preamble, 1 and 2 Mb/s): the modulator (`tx`)
//! and the streaming receiver (`receiver`), on the PLCP framing of `plcp`.

pub mod plcp;
pub mod receiver;
pub mod tx;

pub use receiver::{DsssReceiver, DsssRxConfig, DsssStats};

#[cfg(test)]
mod tests;
