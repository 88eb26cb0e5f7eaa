//! BLE 1M PHY: legacy advertising (and extended advertising PDUs sent on the
//! 1M PHY) on any channel inside the captured band.

pub mod bank;
pub mod demod;
pub mod detect;
pub mod front;
pub mod packet;
pub mod receiver;

pub use receiver::{BleReceiver, BleRxConfig, PhyStats};

#[cfg(test)]
mod tests;
