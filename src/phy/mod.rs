//! Physical layers: IQ samples in, [`Frame`](crate::frame::Frame)s out.
//! One folder per PHY.

pub mod ble;
pub mod ocusync;
pub mod wifi_dsss;
