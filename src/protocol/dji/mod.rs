//! PLACEHOLDER (being written): DJI DroneID.
use serde::Serialize;
pub mod ocusync;
pub mod wifi;
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "msg_type", rename_all = "snake_case")]
pub enum DjiMessage {
    DjiUnknown {},
}
impl DjiMessage {
    pub fn msg_type(&self) -> &'static str {
        "dji_unknown"
    }
}
