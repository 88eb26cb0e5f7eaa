//! `ridscope-dsp`: protocol-free signal processing and channel coding kernels.
//!
//! Nothing in this crate knows about drones, Remote ID or DJI: it holds the
//! reusable building blocks (CRCs, mixers, filters, resamplers, correlators,
//! noise, LTE scrambling / turbo coding / rate matching, the polyphase
//! channelizer; further FEC decoders as the receivers arrive).
//! Every kernel has a reference test against an independent, obviously
//! correct implementation, and a criterion bench in `benches/`.
//!
//! # Streaming conventions
//!
//! The signal kernels work on complex baseband held as split `f32` arrays
//! (`re`, `im`). They are block-oriented: state (history, phase, time) is
//! kept between calls, nothing is allocated per sample, and the output is
//! bit-identical however the input is split into blocks (including empty
//! and one-sample blocks). Where `re` and `im` of one argument differ in
//! length, the common (shorter) length is processed and the excess is
//! ignored. Kernels that produce a variable number of outputs append to
//! caller-owned `Vec`s.
//!
//! Inner loops are plain slice loops that LLVM vectorizes; they are compiled
//! for AVX2+FMA, AVX and the baseline target and dispatched at run time
//! (`multiversion`). Fused multiply-add is used only in the FMA clones
//! (never through a libm call); one process always runs one clone, so the
//! block-split invariance holds bit for bit.
//!
//! # Kernels
//!
//! | module | types | what |
//! |---|---|---|
//! | [`nco`] | [`nco::Nco`] | complex mixer with exact long-term phase |
//! | [`fir`] | [`fir::FirFilter`], [`fir::FirDecimator`], [`fir::ChipFir`], [`fir::ChannelDecimator`]; [`fir::lowpass`], [`fir::kaiser_beta`], [`fir::kaiser_len`] | Kaiser windowed-sinc design, streaming (decimating) FIR, held-chip (±1) matched filter, channel extraction to baseband at the decimated rate |
//! | [`channelizer`] | [`channelizer::Channelizer`], [`channelizer::prototype`], [`channelizer::prototype_band`] | polyphase filter-bank channelizer: `m` channels at `fs / m` spacing, critically or 2× oversampled, batched FFTs, selected channels written |
//! | [`resample`] | [`resample::FractionalResampler`] | arbitrary-ratio polyphase resampler with an exact output ↔ input time map |
//! | [`correlate`] | [`correlate::DirectCorrelator`], [`correlate::FftCorrelator`], [`correlate::Correlator`], [`correlate::SlidingEnergy`] | streaming cross-correlation with a template, sliding energy, normalization |
//! | [`noise`] | [`noise::Rng`] | seeded platform-independent xoshiro256** and ziggurat AWGN |
//! | [`complex`] | helpers | `|x|²`, split ↔ `Complex32` |
//! | [`crc`] | functions | link-layer CRCs |
//! | [`viterbi`] | [`viterbi::ConvCode`], [`viterbi::Viterbi`] | rate-1/2 convolutional encoder and soft-decision Viterbi decoder (BLE LE Coded FEC) |
//! | [`lte::gold`] | [`lte::gold::gold_sequence`] | LTE pseudo-random (Gold) scrambling sequence, 36.211 §7.2 |
//! | [`lte::qpp`] | [`lte::qpp::qpp_params`], [`lte::qpp::qpp_interleaver`] | turbo QPP interleaver, Table 5.1.3-3 of 36.212 |
//! | [`lte::turbo`] | [`lte::turbo::TurboEncoder`], [`lte::turbo::TurboDecoder`] | LTE turbo code: PCCC encoder with trellis termination, windowed SIMD max-log-MAP decoder with early stop |
//! | [`lte::ratematch`] | [`lte::ratematch::RateMatcher`] | turbo rate matching (sub-block interleaver, circular buffer, rv) and soft-combining dematching, 36.212 §5.1.4.1 |

#![forbid(unsafe_code)]

pub mod bitsync;
pub mod channelizer;
pub mod complex;
pub mod correlate;
pub mod crc;
pub mod fir;
pub mod gfsk;
mod kern;
pub mod lte;
pub mod nco;
pub mod noise;
pub mod resample;
#[cfg(test)]
mod test_util;
pub mod viterbi;
mod window;
