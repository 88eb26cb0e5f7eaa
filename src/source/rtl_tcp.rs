//! rtl_tcp client: an RTL-SDR (or anything speaking its protocol) on the
//! network, `rtl_tcp://host:port`.
//!
//! The server first sends a 12-byte header: the magic `RTL0`, the tuner
//! type and the number of gain steps (both u32, big-endian). The client
//! sends 5-byte commands: a command byte and a big-endian u32 parameter
//! (frequency in Hz, sample rate in S/s, gain in tenths of a dB, ...). The
//! samples that follow are unsigned 8-bit I/Q pairs (cu8).
//!
//! An RTL-SDR tunes to about 1.7 GHz at most: 2.4 and 5.8 GHz drone
//! signals need a downconverter in front of it (or another SDR).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

pub use super::Tuning;
use super::raw::RawSource;
use super::{IqBlock, IqSource, SampleFormat, SourceError, SourceSpec, StreamInfo};

/// Command bytes.
pub mod cmd {
    pub const SET_FREQUENCY: u8 = 0x01;
    pub const SET_SAMPLE_RATE: u8 = 0x02;
    /// 0 automatic gain, 1 manual.
    pub const SET_GAIN_MODE: u8 = 0x03;
    /// Tenths of a dB.
    pub const SET_GAIN: u8 = 0x04;
    /// ppm (signed).
    pub const SET_FREQ_CORRECTION: u8 = 0x05;
    /// RTL2832 digital AGC, 0 or 1.
    pub const SET_AGC_MODE: u8 = 0x08;
}

/// One command on the wire.
pub fn command(code: u8, param: u32) -> [u8; 5] {
    let p = param.to_be_bytes();
    [code, p[0], p[1], p[2], p[3]]
}

/// The server's greeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub tuner_type: u32,
    pub gain_count: u32,
}

impl Header {
    /// Parses the 12 bytes; `None` without the `RTL0` magic.
    pub fn parse(b: &[u8; 12]) -> Option<Header> {
        if &b[..4] != b"RTL0" {
            return None;
        }
        let u = |i: usize| u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        Some(Header { tuner_type: u(4), gain_count: u(8) })
    }

    /// The tuner's name.
    pub fn tuner_name(&self) -> &'static str {
        match self.tuner_type {
            1 => "E4000",
            2 => "FC0012",
            3 => "FC0013",
            4 => "FC2580",
            5 => "R820T",
            6 => "R828D",
            _ => "unknown tuner",
        }
    }
}

/// The `host:port` of an `rtl_tcp://host:port` URL (port 1234 when left out).
pub fn address(url: &str) -> Option<String> {
    let rest = url.strip_prefix("rtl_tcp://")?;
    let rest = rest.trim_end_matches('/');
    if rest.is_empty() {
        return None;
    }
    Some(if rest.rsplit_once(':').is_some_and(|(_, p)| p.parse::<u16>().is_ok()) && !rest.ends_with(']') {
        rest.to_string()
    } else {
        format!("{rest}:1234")
    })
}

/// The commands that set up a stream: rate, frequency, gain, correction, AGC.
pub fn setup_commands(rate: f64, freq_hz: f64, t: &Tuning) -> Vec<[u8; 5]> {
    let mut v =
        vec![command(cmd::SET_SAMPLE_RATE, rate.round() as u32), command(cmd::SET_FREQUENCY, freq_hz.round() as u32)];
    match t.gain_db {
        None => v.push(command(cmd::SET_GAIN_MODE, 0)),
        Some(g) => {
            v.push(command(cmd::SET_GAIN_MODE, 1));
            v.push(command(cmd::SET_GAIN, (g * 10.0).round() as i32 as u32));
        }
    }
    if t.ppm != 0 {
        v.push(command(cmd::SET_FREQ_CORRECTION, t.ppm as u32));
    }
    v.push(command(cmd::SET_AGC_MODE, t.agc as u32));
    v
}

/// A connected rtl_tcp stream.
pub struct RtlTcpSource {
    inner: RawSource<TcpStream>,
    pub header: Header,
    /// Added to the tuner's frequency to give the stream's (`--lo-offset`).
    lo_offset_hz: f64,
}

impl IqSource for RtlTcpSource {
    fn info(&self) -> &StreamInfo {
        self.inner.info()
    }

    fn read_block(&mut self, block: &mut IqBlock, max_samples: usize) -> Result<usize, SourceError> {
        self.inner.read_block(block, max_samples)
    }

    fn is_live(&self) -> bool {
        true
    }

    fn retune(&mut self, freq_hz: f64) -> Result<(), SourceError> {
        let device_hz = freq_hz - self.lo_offset_hz;
        if !(0.0..4.29e9).contains(&device_hz) {
            return Err(SourceError::invalid(
                &self.inner.info().name,
                format!("cannot tune to {device_hz} Hz: outside rtl_tcp's 32-bit field"),
            ));
        }
        let c = command(cmd::SET_FREQUENCY, device_hz.round() as u32);
        let name = self.inner.info().name.clone();
        let s = self.inner.get_mut();
        s.write_all(&c).and_then(|()| s.flush()).map_err(|e| SourceError::io(&name, "sending a command", e))?;
        self.inner.info_mut().center_freq_hz = Some(freq_hz);
        Ok(())
    }
}

/// Connects to `spec.path` (`rtl_tcp://host:port`), reads the header and
/// tunes: `--rate` and `--freq` are required (the rate and frequency asked
/// of the server).
pub fn open(spec: &SourceSpec, tuning: &Tuning) -> Result<RtlTcpSource, SourceError> {
    let name = spec.path.as_str();
    let addr = address(name).ok_or_else(|| SourceError::invalid(name, "expected rtl_tcp://host:port"))?;
    let Some(rate) = spec.rate else {
        return Err(SourceError::missing(name, "rtl_tcp needs --rate (the sample rate to ask for)"));
    };
    let Some(freq) = spec.freq else {
        return Err(SourceError::missing(name, "rtl_tcp needs --freq (the frequency to tune to)"));
    };
    let device_hz = freq - tuning.lo_offset_hz;
    if !(0.0..4.29e9).contains(&device_hz) {
        return Err(SourceError::invalid(
            name,
            format!("tuning to {device_hz} Hz (--freq minus --lo-offset) does not fit rtl_tcp's 32-bit field"),
        ));
    }
    if spec.format.is_some_and(|f| f != SampleFormat::Cu8) {
        return Err(SourceError::invalid(name, "rtl_tcp streams cu8 samples only"));
    }
    let io_err = |op, e| SourceError::io(name, op, e);
    let mut s = TcpStream::connect(&addr).map_err(|e| io_err("cannot connect", e))?;
    s.set_read_timeout(Some(Duration::from_secs(10))).map_err(|e| io_err("socket", e))?;
    let mut h = [0u8; 12];
    s.read_exact(&mut h).map_err(|e| io_err("reading the rtl_tcp header", e))?;
    let header = Header::parse(&h)
        .ok_or_else(|| SourceError::invalid(name, "the server did not answer with an rtl_tcp header (RTL0)"))?;
    for c in setup_commands(rate, device_hz, tuning) {
        s.write_all(&c).map_err(|e| io_err("sending a command", e))?;
    }
    s.flush().map_err(|e| io_err("sending a command", e))?;
    // a live stream: no timeout once tuned (a stalled server is the user's to see)
    s.set_read_timeout(None).map_err(|e| io_err("socket", e))?;
    let info = StreamInfo {
        sample_rate: rate,
        center_freq_hz: Some(freq),
        format: SampleFormat::Cu8,
        start_unix_ns: None,
        name: name.to_string(),
        total_samples: None,
    };
    Ok(RtlTcpSource { inner: RawSource::from_reader(s, info), header, lo_offset_hz: tuning.lo_offset_hz })
}

/// Whether a path names an rtl_tcp server.
pub fn is_rtl_tcp(path: &str) -> bool {
    path.starts_with("rtl_tcp://")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_commands_and_urls() {
        let mut h = *b"RTL0\0\0\0\0\0\0\0\0";
        h[7] = 5;
        h[11] = 29;
        let p = Header::parse(&h).unwrap();
        assert_eq!((p.tuner_type, p.gain_count, p.tuner_name()), (5, 29, "R820T"));
        assert!(Header::parse(b"HTTP/1.1 200").is_none());
        assert_eq!(command(cmd::SET_FREQUENCY, 1_090_000_000), [1, 0x40, 0xF8, 0x14, 0x80]);
        let c =
            setup_commands(2.4e6, 433.92e6, &Tuning { gain_db: Some(49.6), ppm: -3, agc: false, lo_offset_hz: 0.0 });
        assert_eq!(c[0], command(2, 2_400_000));
        assert_eq!(c[2], command(3, 1));
        assert_eq!(c[3], command(4, 496));
        assert_eq!(c[4], [5, 0xFF, 0xFF, 0xFF, 0xFD]);
        assert_eq!(address("rtl_tcp://10.0.0.2:1235"), Some("10.0.0.2:1235".into()));
        assert_eq!(address("rtl_tcp://pi.local"), Some("pi.local:1234".into()));
        assert_eq!(address("rtl_tcp://"), None);
        assert_eq!(address("file.cu8"), None);
    }
}
