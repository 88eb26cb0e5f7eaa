//! 802.11b DSSS PHY, 1 and 2 Mb/s, long and short (HR/DSSS) PLCP
//! preambles: the modulator (`tx`) and the streaming receiver
//! (`receiver`), on the PLCP framing of `plcp`. CCK (5.5, 11 Mb/s) headers
//! are recognized and counted, not demodulated.

pub mod plcp;
pub mod receiver;
pub mod tx;

pub use receiver::{DsssReceiver, DsssRxConfig, DsssStats};

#[cfg(test)]
mod tests;
