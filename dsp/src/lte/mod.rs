//! LTE channel coding kernels (3GPP TS 36.211, 36.212): the Gold
//! scrambling sequence, the turbo code (QPP interleaver, PCCC encoder,
//! iterative max-log-MAP decoder) and turbo rate matching with its soft
//! inverse.

pub mod gold;
pub mod qpp;
pub mod turbo;
pub mod ratematch;
