//! Command line: clap arguments resolve into a config, then dispatch.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub mod decode;
pub mod parse;
pub mod synth;

#[derive(Debug, Parser)]
#[command(
    name = "ridscope",
    version,
    about = "Open drone ID receiver and analyzer: ASTM F3411 Remote ID and DJI DroneID"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Decode drone ID bytes (hex) or every frame of a pcap/pcapng file.
    ///
    /// With HEX, prints the decode as pretty JSON; the layer is detected when
    /// not given. With --pcap, prints one JSON line per decoded message
    /// (docs/DATA_FORMAT.md) and a summary on stderr.
    Parse(ParseArgs),
    /// Decode drone ID broadcasts from IQ samples (file, SigMF recording, or - for stdin).
    ///
    /// Prints one JSON line per decoded message (docs/DATA_FORMAT.md) and a
    /// summary on stderr. Rate and frequency come from SigMF metadata or an
    /// rtl_433-style name (capture_2402M_4M.cu8); --rate/--freq override.
    Decode(DecodeArgs),
    /// Synthesize a capture of drones broadcasting Remote ID, with the truth beside it.
    #[command(subcommand)]
    Synth(SynthCommand),
}

#[derive(Debug, Args)]
pub struct DecodeArgs {
    /// IQ input: a raw file (.cu8 .cs8 .cs16 .cf32 .cfile .fc32 .cf64), a SigMF recording, or - for stdin.
    pub input: String,
    /// Sample format (cu8, cs8, cs16, cf32, cf64); overrides the extension or metadata.
    #[arg(long, value_parser = decode::parse_format)]
    pub format: Option<crate::source::SampleFormat>,
    /// Sample rate (e.g. 4e6, 4M, 61.44M).
    #[arg(long, value_parser = decode::parse_hz)]
    pub rate: Option<f64>,
    /// Centre frequency (e.g. 2402e6, 2402M).
    #[arg(long, value_parser = decode::parse_hz)]
    pub freq: Option<f64>,
    /// BLE channel indices to receive (those inside the captured band).
    #[arg(long, value_delimiter = ',', value_parser = clap::value_parser!(u8).range(0..40), default_value = "37,38,39")]
    pub channels: Vec<u8>,
    /// Receivers to run; each runs when the capture suits it (BLE: an
    /// advertising channel inside the band; DJI: 15.36 MS/s or more; wifi:
    /// 802.11b DSSS, 11 MS/s or more, every 2.4 GHz channel in the band).
    #[arg(long, value_enum, value_delimiter = ',', default_value = "ble,dji")]
    pub phy: Vec<decode::PhyChoice>,
    /// Write JSON Lines here instead of stdout.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Do not print the summary or progress on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum SynthCommand {
    /// BLE 4 legacy advertising Remote ID (ArduRemoteID-like message cycle).
    Ble(SynthBleArgs),
    /// DJI DroneID on OcuSync 2: a burst every ~600 ms per drone (flight
    /// info, every fifth a flight purpose), hopping every 20 bursts.
    Dji(SynthDjiArgs),
}

#[derive(Debug, Args)]
pub struct SynthDjiArgs {
    /// Output: X.sigmf-meta (SigMF), a raw file, or - (raw samples on stdout); the truth goes to X.truth.jsonl.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: PathBuf,
    /// Truth file (default: beside the output; required with -o -).
    #[arg(long, value_name = "FILE")]
    pub truth: Option<PathBuf>,
    #[arg(long, value_parser = decode::parse_hz, default_value = "15.36e6")]
    pub rate: f64,
    #[arg(long, value_parser = decode::parse_hz, default_value = "2414.5e6")]
    pub freq: f64,
    /// Burst centre frequencies to hop over (default: the 2.4/5.8 GHz DroneID channels inside the band, else the centre).
    #[arg(long = "channel", value_parser = decode::parse_hz, value_delimiter = ',')]
    pub channels: Vec<f64>,
    #[arg(long, default_value_t = 1)]
    pub drones: usize,
    /// Seconds.
    #[arg(long, default_value_t = 10.0)]
    pub duration: f64,
    /// Seconds between the bursts of one drone.
    #[arg(long, default_value_t = 0.6)]
    pub period: f64,
    /// OFDM symbols per burst: 9 (Mini 2, Mavic Air 2) or 8 (Mavic Pro, Mavic 2).
    #[arg(long, default_value_t = 9, value_parser = clap::value_parser!(u8).range(8..=9))]
    pub symbols: u8,
    /// SNR in the 9 MHz occupied band (dB).
    #[arg(long = "snr-db", default_value_t = 20.0, allow_negative_numbers = true)]
    pub snr_db: f64,
    /// Carrier offsets are drawn per drone uniformly in ±this.
    #[arg(long = "cfo-hz", default_value_t = 20e3)]
    pub cfo_hz: f64,
    /// Clock errors are drawn per drone uniformly in ±this.
    #[arg(long, default_value_t = 10.0)]
    pub ppm: f64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Sample format of the output (cu8, cs8, cs16, cf32, cf64).
    #[arg(long, value_parser = decode::parse_format, default_value = "cf32")]
    pub format: crate::source::SampleFormat,
    /// Where the drones fly (latitude, longitude).
    #[arg(long, default_value_t = 52.4730, allow_negative_numbers = true)]
    pub lat: f64,
    #[arg(long, default_value_t = 13.4010, allow_negative_numbers = true)]
    pub lon: f64,
}

#[derive(Debug, Args)]
pub struct SynthBleArgs {
    /// Output: X.sigmf-meta (SigMF) or a raw file; the truth goes to X.truth.jsonl.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: PathBuf,
    #[arg(long, value_parser = decode::parse_hz, default_value = "4e6")]
    pub rate: f64,
    #[arg(long, value_parser = decode::parse_hz, default_value = "2402e6")]
    pub freq: f64,
    #[arg(long, default_value_t = 2)]
    pub drones: usize,
    /// Seconds.
    #[arg(long, default_value_t = 20.0)]
    pub duration: f64,
    #[arg(long = "ebn0-db", default_value_t = 20.0, allow_negative_numbers = true)]
    pub ebn0_db: f64,
    /// Carrier offsets are drawn per transmitter uniformly in ±this.
    #[arg(long = "cfo-hz", default_value_t = 20e3)]
    pub cfo_hz: f64,
    /// Clock errors are drawn per transmitter uniformly in ±this.
    #[arg(long, default_value_t = 10.0)]
    pub ppm: f64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Sample format of the output (cu8, cs8, cs16, cf32, cf64).
    #[arg(long, value_parser = decode::parse_format, default_value = "cu8")]
    pub format: crate::source::SampleFormat,
    /// Where the drones fly (latitude, longitude).
    #[arg(long, default_value_t = 52.4730, allow_negative_numbers = true)]
    pub lat: f64,
    #[arg(long, default_value_t = 13.4010, allow_negative_numbers = true)]
    pub lon: f64,
}

#[derive(Debug, Args)]
pub struct ParseArgs {
    /// Bytes to decode, as hex (spaces, ':' and '-' separators allowed).
    #[arg(required_unless_present = "pcap", conflicts_with = "pcap")]
    pub hex: Option<String>,
    /// What the hex bytes are.
    #[arg(long, value_enum, default_value_t = Layer::Auto)]
    pub layer: Layer,
    /// Whether a Wi-Fi frame ends with its FCS (auto: if the last 4 bytes are a valid FCS).
    #[arg(long, value_enum, default_value_t = FcsMode::Auto)]
    pub fcs: FcsMode,
    /// Decode every frame of this pcap or pcapng file (link types 105, 127, 251, 256, 272).
    #[arg(long, value_name = "FILE")]
    pub pcap: Option<PathBuf>,
    /// Write JSON Lines here instead of stdout (with --pcap).
    #[arg(short = 'o', long, value_name = "FILE", requires = "pcap")]
    pub output: Option<PathBuf>,
    /// Do not print the summary on stderr (with --pcap).
    #[arg(short, long)]
    pub quiet: bool,
}

/// The layers `parse` understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Layer {
    /// Detect the layer from the bytes.
    Auto,
    /// One 25-byte Open Drone ID message, or a message pack.
    Odid,
    /// A BLE advertising PDU (header + payload), optionally preceded by the
    /// access address and followed by the CRC.
    BlePdu,
    /// BLE advertising data (AD structures).
    BleAdvData,
    /// An IEEE 802.11 management frame, with or without FCS.
    WifiFrame,
    /// A DJI OcuSync 176-byte code block, or just its payload (length byte first).
    DjiOcusync,
}

impl Layer {
    pub fn name(self) -> &'static str {
        match self {
            Layer::Auto => "auto",
            Layer::Odid => "odid",
            Layer::BlePdu => "ble-pdu",
            Layer::BleAdvData => "ble-adv-data",
            Layer::WifiFrame => "wifi-frame",
            Layer::DjiOcusync => "dji-ocusync",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FcsMode {
    Auto,
    Yes,
    No,
}

/// The flight scenario shared by the `synth` subcommands.
fn scenario_config(
    seed: u64,
    drones: usize,
    duration_s: f64,
    lat: f64,
    lon: f64,
) -> crate::synth::scenario::ScenarioConfig {
    crate::synth::scenario::ScenarioConfig {
        seed,
        drones,
        duration_s,
        origin_lat_deg: lat,
        origin_lon_deg: lon,
        ..crate::synth::scenario::ScenarioConfig::default()
    }
}

/// Entry point used by `main`.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Parse(a) => parse::run(parse::ParseConfig::from_args(a)),
        Command::Decode(a) => {
            let mut cfg = decode::DecodeConfig::new(a.input);
            cfg.source.format = a.format;
            cfg.source.rate = a.rate;
            cfg.source.freq = a.freq;
            cfg.channels = a.channels;
            cfg.phys = a.phy;
            cfg.output = a.output;
            cfg.quiet = a.quiet;
            decode::run(cfg)
        }
        Command::Synth(SynthCommand::Ble(a)) => {
            let scenario = scenario_config(a.seed, a.drones, a.duration, a.lat, a.lon);
            let iq = crate::synth::iq::IqConfig {
                sample_rate: a.rate,
                center_freq_hz: a.freq,
                ebn0_db: a.ebn0_db,
                cfo_hz: a.cfo_hz,
                ppm: a.ppm,
                seed: a.seed,
                amplitude: None,
            };
            synth::run(synth::SynthBleConfig { output: a.output, format: a.format, scenario, iq })
        }
        Command::Synth(SynthCommand::Dji(a)) => {
            let scenario = scenario_config(a.seed, a.drones, a.duration, a.lat, a.lon);
            let iq = crate::synth::dji::DjiIqConfig {
                sample_rate: a.rate,
                center_freq_hz: a.freq,
                snr_db: a.snr_db,
                cfo_hz: a.cfo_hz,
                ppm: a.ppm,
                seed: a.seed,
                amplitude: None,
            };
            let plan = crate::synth::dji::DjiPlan {
                period_s: a.period,
                nine_symbols: a.symbols == 9,
                freqs_hz: a.channels,
                ..crate::synth::dji::DjiPlan::default()
            };
            synth::run_dji(synth::SynthDjiConfig {
                output: a.output,
                truth: a.truth,
                format: a.format,
                scenario,
                iq,
                plan,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_definition_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
