//! Command line: clap arguments resolve into a config, then dispatch.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub mod parse;

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

/// Entry point used by `main`.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Parse(a) => parse::run(parse::ParseConfig::from_args(a)),
    }
}
