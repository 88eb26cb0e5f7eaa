//! BLE: the 1M PHY (legacy advertising, and extended advertising PDUs sent
//! on the 1M PHY) and the LE Coded PHY (BLE 5 Long Range, S=8 and S=2) on
//! any channel inside the captured band; one front end per channel, or one
//! polyphase filter bank for many channels ([`bank`]).

pub mod auxlink;
pub mod bank;
pub mod coded;
pub mod demod;
pub mod detect;
pub mod front;
mod history;
pub mod packet;
pub mod receiver;

pub use receiver::{AuxScan, BleReceiver, BleRxConfig, PhyStats};

#[cfg(test)]
mod tests;
