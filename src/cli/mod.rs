//! Command line: clap arguments resolve into a config, then dispatch.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub mod decode;
pub mod export;
pub mod parse;
pub mod report;
pub mod synth;
pub mod tui;

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
    /// Live tracks on a terminal map: replay a capture (or stdin) at capture speed.
    ///
    /// The aircraft table, a map with the sensor, zones, tracks, pilots and
    /// homes, the selected aircraft's fields, zone alerts and per-channel
    /// counts. Keys: arrows select, Enter detail, z/Z zoom, p pause, +/-
    /// replay speed, m/l map/log, ? help, q quit.
    Tui(TuiArgs),
    /// Receive live from an SDR or an rtl_tcp server, in real time.
    ///
    /// A reader thread feeds one demodulator thread per PHY through bounded
    /// queues; when decoding falls behind, whole blocks are dropped and
    /// counted (never unbounded memory). A status line on stderr gives the
    /// sample rate achieved, CPU load, drops and what is being listened to.
    /// Ctrl-C stops cleanly (outputs and the recording are finished).
    Live(LiveArgs),
    /// Export drone tracks, pilot and home points from a --db history (or a
    /// recording, decoded first): GeoJSON, KML (Google Earth), GPX or CSV.
    Export(ExportArgs),
    /// Analyse a capture or a --db history: what each drone leaks (serial,
    /// pilot position, ...), whether it complies with the Remote ID rules
    /// (ASTM F3411 rates, FAA Part 89 elements, EN 4709-002), and whether
    /// it is genuine (teleports, one radio with many IDs, frozen counters,
    /// RSSI against distance). Text, JSON or a self-contained HTML page
    /// with plots.
    Report(ReportArgs),
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A capture (pcap/pcapng, or IQ: a raw file or SigMF recording) or a
    /// JSON Lines file of decoded records; or give --db.
    #[arg(required_unless_present = "db", conflicts_with = "db")]
    pub input: Option<String>,
    /// A SQLite history (written by decode/live --db).
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// With --db: only these sessions (the sessions table's ids).
    #[arg(long, value_delimiter = ',')]
    pub session: Vec<i64>,
    /// Only the aircraft with this identifier (serial or other).
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,
    #[arg(long, value_enum, default_value_t = report::ReportFormat::Text)]
    pub format: report::ReportFormat,
    /// Write here instead of stdout.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Receiver position LAT,LON (degrees), for the RSSI-distance check
    /// (a --db history's own sensor position is used when it has one).
    #[arg(long, value_parser = crate::watch::parse_lat_lon, allow_hyphen_values = true)]
    pub sensor: Option<(f64, f64)>,
    /// IQ inputs: sample format (cu8, cs8, cs16, cf32, cf64), when the
    /// name or metadata does not say.
    #[arg(long = "sample-format", value_parser = decode::parse_format)]
    pub sample_format: Option<crate::source::SampleFormat>,
    /// IQ inputs: sample rate (e.g. 4M).
    #[arg(long, value_parser = decode::parse_hz)]
    pub rate: Option<f64>,
    /// IQ inputs: centre frequency (e.g. 2437M).
    #[arg(long, value_parser = decode::parse_hz)]
    pub freq: Option<f64>,
    /// IQ inputs: the receivers, as for decode.
    #[command(flatten)]
    pub receivers: Receivers,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// An IQ recording to decode first (SigMF, or a raw file named like
    /// name_2402M_2M.cu8), instead of --db.
    #[arg(required_unless_present = "db", conflicts_with = "db")]
    pub input: Option<String>,
    /// The SQLite history (written by decode/live --db).
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = export::ExportFormat::Geojson)]
    pub format: export::ExportFormat,
    /// Only this aircraft (serial or other identifier).
    #[arg(long, value_name = "SERIAL")]
    pub id: Option<String>,
    /// Only this session (the sessions table's id).
    #[arg(long)]
    pub session: Option<i64>,
    /// Only positions at or after this UTC time (RFC 3339).
    #[arg(long, value_parser = export::parse_utc)]
    pub since: Option<String>,
    /// Only positions at or before this UTC time (RFC 3339).
    #[arg(long, value_parser = export::parse_utc)]
    pub until: Option<String>,
    /// Write here instead of stdout.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DecodeArgs {
    #[command(flatten)]
    pub rx: ReceiveArgs,
    #[command(flatten)]
    pub out: OutputArgs,
    #[command(flatten)]
    pub rt: RealtimeArgs,
    #[command(flatten)]
    pub watch: WatchArgs,
}

/// The input and the receivers (decode and tui).
#[derive(Debug, Args)]
pub struct ReceiveArgs {
    /// IQ input: a raw file (.cu8 .cs8 .cs16 .cf32 .cfile .fc32 .cf64), a SigMF recording, - for stdin,
    /// or rtl_tcp://host:port (an RTL-SDR on the network; give --rate and --freq).
    pub input: String,
    #[command(flatten)]
    pub opts: RxOpts,
}

/// Stream parameters, device settings and receivers (decode, tui, live).
#[derive(Debug, Args)]
pub struct RxOpts {
    /// Sample format (cu8, cs8, cs16, cf32, cf64); overrides the extension or metadata.
    #[arg(long, value_parser = decode::parse_format)]
    pub format: Option<crate::source::SampleFormat>,
    /// Sample rate (e.g. 4e6, 4M, 61.44M).
    #[arg(long, value_parser = decode::parse_hz)]
    pub rate: Option<f64>,
    /// Centre frequency (e.g. 2402e6, 2402M).
    #[arg(long, value_parser = decode::parse_hz)]
    pub freq: Option<f64>,
    /// rtl_tcp: tuner gain in dB (default: automatic gain).
    #[arg(long, value_name = "DB", allow_negative_numbers = true)]
    pub gain: Option<f64>,
    /// rtl_tcp: frequency correction in ppm.
    #[arg(long = "freq-correction", value_name = "PPM", default_value_t = 0, allow_negative_numbers = true)]
    pub freq_correction: i32,
    /// rtl_tcp: the RTL2832's digital AGC.
    #[arg(long)]
    pub agc: bool,
    /// Live sources: a downconverter's local oscillator frequency (e.g.
    /// 2000M for 2.4 GHz into an RTL-SDR at about 400 MHz): the device
    /// tunes to --freq minus this, frames are reported at --freq.
    #[arg(long = "lo-offset", value_name = "HZ", value_parser = decode::parse_hz)]
    pub lo_offset: Option<f64>,
    #[command(flatten)]
    pub receivers: Receivers,
}

/// Which receivers run on which channels (decode, tui, live, report).
#[derive(Debug, Args)]
pub struct Receivers {
    /// BLE channel indices to receive (those inside the captured band).
    #[arg(long, value_delimiter = ',', value_parser = clap::value_parser!(u8).range(0..40), default_value = "37,38,39")]
    pub channels: Vec<u8>,
    /// Wi-Fi channels to receive (those inside the captured band; without a
    /// centre frequency, the centre).
    #[arg(long = "wifi-channels", value_delimiter = ',', value_parser = clap::value_parser!(u16).range(1..=14), default_value = "1,6,11")]
    pub wifi_channels: Vec<u16>,
    /// How BLE data channels (0..36) are searched for the AUX packets of
    /// BLE 5 extended advertising: guided (only where a decoded AuxPtr
    /// points, as a BLE controller does: fast enough to run 40 channels
    /// live), blind (every sample of every channel: also finds AUX packets
    /// whose primaries were missed, at several times the cost), or auto
    /// (guided when 4 or more channels and an advertising channel are in
    /// band).
    #[arg(long = "aux-scan", value_enum, default_value = "auto")]
    pub aux_scan: crate::phy::ble::AuxScan,
    /// Receivers to run; each runs when the capture suits it (BLE: an
    /// advertising channel inside the band; DJI: 15.36 MS/s or more; wifi:
    /// 802.11b DSSS, 11 MS/s or more, a --wifi-channels channel in the band).
    #[arg(long, value_enum, value_delimiter = ',', default_value = "ble,dji,wifi")]
    pub phy: Vec<decode::PhyChoice>,
}

impl Receivers {
    fn apply(self, cfg: &mut decode::DecodeConfig) {
        cfg.channels = self.channels;
        cfg.wifi_channels = self.wifi_channels;
        cfg.aux_scan = self.aux_scan;
        cfg.phys = self.phy;
    }
}

impl ReceiveArgs {
    fn config(self) -> decode::DecodeConfig {
        self.opts.config(self.input)
    }
}

impl RxOpts {
    fn config(self, input: String) -> decode::DecodeConfig {
        let mut cfg = decode::DecodeConfig::new(input);
        cfg.source.tuning = crate::source::Tuning {
            gain_db: self.gain,
            ppm: self.freq_correction,
            agc: self.agc,
            lo_offset_hz: self.lo_offset.unwrap_or(0.0),
        };
        cfg.source.format = self.format;
        cfg.source.rate = self.rate;
        cfg.source.freq = self.freq;
        self.receivers.apply(&mut cfg);
        cfg
    }
}

/// Where the records go (decode and live).
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Write JSON Lines here instead of stdout.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Do not print the summary, progress or status lines on stderr.
    #[arg(short, long)]
    pub quiet: bool,
    /// Print track events and zone alerts (docs/DATA_FORMAT.md, "Track
    /// updates") instead of the decoded messages.
    #[arg(long)]
    pub tracks: bool,
    /// Also write every received frame to this pcapng file (BLE with the
    /// LE pseudo-header, 802.11 with radiotap, DJI OcuSync as link type 147),
    /// for Wireshark.
    #[arg(long, value_name = "FILE")]
    pub pcap: Option<PathBuf>,
    /// Also send Cursor on Target events for ATAK (drone, pilot and home
    /// markers): udp://239.2.3.1:6969 (ATAK's SA multicast), udp://host:port,
    /// or tcp://host:8087 (a TAK server).
    #[arg(long, value_name = "URL", value_parser = crate::sink::CotTarget::parse)]
    pub cot: Option<crate::sink::CotTarget>,
    /// Also keep a SQLite history: sessions, messages, tracks, track
    /// points, zone alerts (WAL; batched, committed every second).
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// Seconds a CoT marker stays fresh after its last update.
    #[arg(long, value_name = "S", default_value_t = 30.0)]
    pub cot_stale: f64,
    /// Least seconds between two CoT updates of one aircraft.
    #[arg(long, value_name = "S", default_value_t = 1.0)]
    pub cot_interval: f64,
    /// Also publish to an MQTT broker: every message on PREFIX/messages,
    /// each aircraft's latest track on PREFIX/drone/<uas_id> (retained),
    /// zone alerts on PREFIX/alerts, PREFIX/status online/offline
    /// (prefix default: ridscope). Reconnects; queues up to 10000 messages.
    #[arg(long, value_name = "URL", value_parser = crate::sink::MqttTarget::parse)]
    pub mqtt: Option<crate::sink::MqttTarget>,
    /// With --mqtt: Home Assistant discovery (a device_tracker per aircraft).
    #[arg(long, requires = "mqtt")]
    pub mqtt_ha: bool,
}

/// Builds the decode configuration shared by `decode` and `live`.
fn receive_config(
    mut cfg: decode::DecodeConfig,
    out: OutputArgs,
    rt: RealtimeArgs,
    watch: &WatchArgs,
) -> Result<decode::DecodeConfig, String> {
    cfg.output = out.output;
    cfg.pcap = out.pcap;
    cfg.db = out.db;
    cfg.watch = watch.config();
    if let Some(target) = out.cot {
        let stale_ok = out.cot_stale.is_finite() && out.cot_stale > 0.0;
        let interval_ok = out.cot_interval.is_finite() && out.cot_interval >= 0.0;
        if !stale_ok || !interval_ok {
            return Err("--cot-stale must be positive and --cot-interval not negative (seconds)".into());
        }
        cfg.cot = Some(crate::sink::CotConfig { target, stale_s: out.cot_stale, interval_s: out.cot_interval });
    }
    cfg.mqtt = out.mqtt.map(|target| crate::sink::MqttConfig { target, home_assistant: out.mqtt_ha, interval_s: 1.0 });
    cfg.quiet = out.quiet;
    cfg.tracks = out.tracks.then(|| watch.config());
    rt.apply(&mut cfg)?;
    Ok(cfg)
}

/// Real-time behaviour, recording and scanning (decode and live).
#[derive(Debug, Args)]
pub struct RealtimeArgs {
    /// Also write the samples read to this SigMF recording (X.sigmf-meta), with an annotation per decoded frame.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// When decoding falls behind: drop whole blocks (counted and shown) or
    /// wait. Default: drop for live sources (SDRs, rtl_tcp), wait for files.
    #[arg(long, value_enum)]
    pub overload: Option<crate::pipeline::Overload>,
    /// Blocks (of 65536 samples) each demodulator's queue holds.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub queue: u16,
    /// Stop after this many seconds of samples.
    #[arg(long, value_name = "S")]
    pub duration: Option<f64>,
    /// Hop over frequencies (live sources narrower than the band): presets
    /// ble, ble37..ble39, wifi1..wifi14, dji, dji58, all, or frequencies,
    /// each with an optional :DWELL in seconds (e.g. ble:0.3,wifi6:1,dji).
    #[arg(long, value_parser = crate::pipeline::ScanPlan::parse)]
    pub scan: Option<crate::pipeline::ScanPlan>,
    /// Seconds not decoded after each retune while the device settles.
    #[arg(long, value_name = "S", default_value_t = crate::pipeline::scan::DEFAULT_SETTLE_S)]
    pub settle: f64,
}

impl RealtimeArgs {
    fn apply(self, cfg: &mut decode::DecodeConfig) -> Result<(), String> {
        cfg.record = self.record;
        cfg.overload = self.overload;
        cfg.queue_blocks = usize::from(self.queue);
        if let Some(d) = self.duration {
            if !(d.is_finite() && d > 0.0) {
                return Err(format!("--duration {d}: a positive number of seconds"));
            }
            cfg.duration_s = Some(d);
        }
        if !(self.settle.is_finite() && (0.0..=10.0).contains(&self.settle)) {
            return Err(format!("--settle {}: 0 to 10 seconds", self.settle));
        }
        cfg.scan = self.scan.map(|mut p| {
            p.settle_s = self.settle;
            p
        });
        Ok(())
    }
}

/// `ridscope live`.
#[derive(Debug, Args)]
pub struct LiveArgs {
    /// The receiver: rtl_tcp://host:port, rtlsdr[:N], hackrf, soapy:ARGS (with --features soapy);
    /// a file or - also works (decoded as if live).
    #[arg(long, short = 'd')]
    pub device: String,
    #[command(flatten)]
    pub opts: RxOpts,
    #[command(flatten)]
    pub rt: RealtimeArgs,
    #[command(flatten)]
    pub out: OutputArgs,
    /// Show the terminal UI (tracks, map, alerts) instead of printing.
    #[arg(long)]
    pub tui: bool,
    /// Seconds between status lines on stderr.
    #[arg(long, value_name = "S", default_value_t = 1.0)]
    pub status_every: f64,
    #[command(flatten)]
    pub watch: WatchArgs,
}

#[derive(Debug, Args)]
pub struct TuiArgs {
    #[command(flatten)]
    pub rx: ReceiveArgs,
    /// Replay speed: 1 (capture speed), 4, 0.5, ... or max.
    #[arg(long, value_parser = tui::parse_speed, default_value = "1")]
    pub speed: f64,
    #[command(flatten)]
    pub watch: WatchArgs,
}

/// The sensor, alert zones and allow-list (for tracks and the TUI).
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Sensor position LAT,LON (degrees): distance and bearing of each drone and pilot.
    #[arg(long, value_parser = crate::watch::parse_lat_lon, allow_hyphen_values = true)]
    pub sensor: Option<(f64, f64)>,
    /// Alert zones: a GeoJSON file of named Polygons/MultiPolygons.
    #[arg(long, value_name = "GEOJSON")]
    pub zones: Option<PathBuf>,
    /// An alert zone of this radius (m) around the sensor (needs --sensor).
    #[arg(long, value_name = "M")]
    pub radius: Option<f64>,
    /// Serial numbers that raise no alarm (one per line, # comments); their alerts are marked allowed.
    #[arg(long, value_name = "FILE")]
    pub allow: Option<PathBuf>,
}

impl WatchArgs {
    pub fn config(&self) -> crate::watch::WatchConfig {
        crate::watch::WatchConfig {
            sensor: self.sensor,
            zones: self.zones.clone(),
            radius_m: self.radius,
            allow: self.allow.clone(),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum SynthCommand {
    /// BLE 4 legacy advertising Remote ID (ArduRemoteID-like message cycle).
    Ble(SynthBleArgs),
    /// BLE 5 Long Range Remote ID (ArduRemoteID-like): ADV_EXT_IND on
    /// 37/38/39 pointing to an AUX_ADV_IND with the message pack on a random
    /// data channel, about once a second, on the LE Coded PHY. The default
    /// 100 MS/s at 2441 MHz covers all 40 channels.
    Ble5(SynthBle5Args),
    /// DJI DroneID on OcuSync 2: a burst every ~600 ms per drone (flight
    /// info, every fifth a flight purpose), hopping every 20 bursts.
    Dji(SynthDjiArgs),
    /// Wi-Fi Remote ID on 802.11b DSSS (channel 6, 1 Mb/s by default): each
    /// drone's message pack in a beacon vendor IE or a NAN frame every
    /// --period, or the 802.11 frames of a pcap (--from-pcap).
    Wifi(SynthWifiArgs),
    /// One capture with BLE 4 Remote ID, Wi-Fi beacons and DJI DroneID from
    /// the same drones (default 50 MS/s at 2432 MHz: BLE channel 38, Wi-Fi
    /// channel 6, DroneID 2414.5/2429.5/2444.5 MHz).
    Mixed(SynthMixedArgs),
}

/// Wi-Fi transports `synth wifi` can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WifiTransportArg {
    /// Beacon frames with the ASTM vendor IE.
    Beacon,
    /// NAN service discovery frames.
    Nan,
    /// Beacons with the French vendor IE.
    French,
    /// Beacons with DJI's DroneID vendor IE (flight information).
    Dji,
}

/// 802.11b PLCP preambles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PreambleArg {
    Long,
    Short,
}

/// DSSS rates `synth wifi` can send.
fn parse_mbps(s: &str) -> Result<crate::phy::wifi_dsss::plcp::Rate, String> {
    use crate::phy::wifi_dsss::plcp::Rate;
    match s {
        "1" => Ok(Rate::Mbps1),
        "2" => Ok(Rate::Mbps2),
        _ => Err(format!("{s}: 1 or 2 (Mb/s; CCK 5.5/11 is not synthesized)")),
    }
}

#[derive(Debug, Args)]
pub struct SynthWifiArgs {
    /// Output: X.sigmf-meta (SigMF), a raw file, or - (raw samples on stdout); the truth goes to X.truth.jsonl.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: PathBuf,
    /// Truth file (default: beside the output; required with -o -).
    #[arg(long, value_name = "FILE")]
    pub truth: Option<PathBuf>,
    /// Put the 802.11 frames of this pcap/pcapng on the air (one every --period) instead of simulated drones.
    #[arg(long, value_name = "PCAP")]
    pub from_pcap: Option<PathBuf>,
    #[arg(long, value_parser = decode::parse_hz, default_value = "22e6")]
    pub rate: f64,
    #[arg(long, value_parser = decode::parse_hz, default_value = "2437e6")]
    pub freq: f64,
    /// Wi-Fi channel (2.4 GHz, 1..14).
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u16).range(1..=14))]
    pub channel: u16,
    /// DSSS rate in Mb/s: 1 or 2.
    #[arg(long, value_parser = parse_mbps, default_value = "1")]
    pub mbps: crate::phy::wifi_dsss::plcp::Rate,
    /// PLCP preamble: long, or short (2 Mb/s only).
    #[arg(long, value_enum, default_value_t = PreambleArg::Long)]
    pub preamble: PreambleArg,
    #[arg(long, value_enum, default_value_t = WifiTransportArg::Beacon)]
    pub transport: WifiTransportArg,
    #[arg(long, default_value_t = 1)]
    pub drones: usize,
    /// Seconds.
    #[arg(long, default_value_t = 10.0)]
    pub duration: f64,
    /// Seconds between the frames of one drone (with --from-pcap: between
    /// frames, and at least 100 µs after the previous one ends).
    #[arg(long, default_value_t = 0.1)]
    pub period: f64,
    /// Chip-rate SNR (chip power over N0 · 11 MHz, dB).
    #[arg(long = "snr-db", default_value_t = 20.0, allow_negative_numbers = true)]
    pub snr_db: f64,
    /// Sample format of the output (cu8, cs8, cs16, cf32, cf64).
    #[arg(long, value_parser = decode::parse_format, default_value = "cf32")]
    pub format: crate::source::SampleFormat,
    #[command(flatten)]
    pub common: CommonSynthArgs,
}

#[derive(Debug, Args)]
pub struct SynthMixedArgs {
    /// Output: X.sigmf-meta (SigMF), a raw file, or - (raw samples on stdout); the truth goes to X.truth.jsonl.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: PathBuf,
    /// Truth file (default: beside the output; required with -o -).
    #[arg(long, value_name = "FILE")]
    pub truth: Option<PathBuf>,
    #[arg(long, value_parser = decode::parse_hz, default_value = "50e6")]
    pub rate: f64,
    #[arg(long, value_parser = decode::parse_hz, default_value = "2432e6")]
    pub freq: f64,
    #[arg(long, default_value_t = 2)]
    pub drones: usize,
    /// Seconds.
    #[arg(long, default_value_t = 5.0)]
    pub duration: f64,
    /// BLE Eb/N0 (dB).
    #[arg(long = "ebn0-db", default_value_t = 20.0, allow_negative_numbers = true)]
    pub ebn0_db: f64,
    /// Wi-Fi chip-rate SNR (dB).
    #[arg(long = "wifi-snr-db", default_value_t = 15.0, allow_negative_numbers = true)]
    pub wifi_snr_db: f64,
    /// Wi-Fi channel.
    #[arg(long = "wifi-channel", default_value_t = 6, value_parser = clap::value_parser!(u16).range(1..=14))]
    pub wifi_channel: u16,
    /// Seconds between the Wi-Fi frames of one drone.
    #[arg(long = "wifi-period", default_value_t = 0.1)]
    pub wifi_period: f64,
    /// DroneID centre frequencies to hop over (default: the DroneID channels inside the band).
    #[arg(long = "dji-channel", value_parser = decode::parse_hz, value_delimiter = ',')]
    pub dji_channels: Vec<f64>,
    /// DroneID SNR in the 9 MHz band (dB).
    #[arg(long = "dji-snr-db", default_value_t = 15.0, allow_negative_numbers = true)]
    pub dji_snr_db: f64,
    /// Seconds between the DroneID bursts of one drone.
    #[arg(long = "dji-period", default_value_t = 0.6)]
    pub dji_period: f64,
    /// Also BLE 5 Long Range (LE Coded S=8 extended advertising, AUX
    /// packets on random data channels): for a full-band capture, e.g.
    /// `--rate 100e6 --freq 2441e6`.
    #[arg(long)]
    pub ble5: bool,
    /// Sample format of the output (cu8, cs8, cs16, cf32, cf64).
    #[arg(long, value_parser = decode::parse_format, default_value = "cs16")]
    pub format: crate::source::SampleFormat,
    #[command(flatten)]
    pub common: CommonSynthArgs,
}

/// Options every `synth` subcommand has.
#[derive(Debug, Args)]
pub struct CommonSynthArgs {
    /// Carrier offsets are drawn per transmitter uniformly in ±this.
    #[arg(long = "cfo-hz", default_value_t = 20e3)]
    pub cfo_hz: f64,
    /// Clock errors are drawn per transmitter uniformly in ±this.
    #[arg(long, default_value_t = 10.0)]
    pub ppm: f64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Where the drones fly (latitude, longitude).
    #[arg(long, default_value_t = 52.4730, allow_negative_numbers = true)]
    pub lat: f64,
    #[arg(long, default_value_t = 13.4010, allow_negative_numbers = true)]
    pub lon: f64,
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
    /// Sample format of the output (cu8, cs8, cs16, cf32, cf64).
    #[arg(long, value_parser = decode::parse_format, default_value = "cf32")]
    pub format: crate::source::SampleFormat,
    #[command(flatten)]
    pub common: CommonSynthArgs,
}

#[derive(Debug, Args)]
pub struct SynthBleArgs {
    /// Output: X.sigmf-meta (SigMF), a raw file, or - (raw samples on stdout); the truth goes to X.truth.jsonl.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: PathBuf,
    /// Truth file (default: beside the output; required with -o -).
    #[arg(long, value_name = "FILE")]
    pub truth: Option<PathBuf>,
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
    /// Sample format of the output (cu8, cs8, cs16, cf32, cf64).
    #[arg(long, value_parser = decode::parse_format, default_value = "cu8")]
    pub format: crate::source::SampleFormat,
    #[command(flatten)]
    pub common: CommonSynthArgs,
}

/// LE Coded PHY codings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CodingArg {
    S8,
    S2,
}

#[derive(Debug, Args)]
pub struct SynthBle5Args {
    /// Output: X.sigmf-meta (SigMF), a raw file, or - (raw samples on stdout); the truth goes to X.truth.jsonl.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: PathBuf,
    /// Truth file (default: beside the output; required with -o -).
    #[arg(long, value_name = "FILE")]
    pub truth: Option<PathBuf>,
    #[arg(long, value_parser = decode::parse_hz, default_value = "100e6")]
    pub rate: f64,
    #[arg(long, value_parser = decode::parse_hz, default_value = "2441e6")]
    pub freq: f64,
    #[arg(long, default_value_t = 2)]
    pub drones: usize,
    /// Seconds.
    #[arg(long, default_value_t = 3.0)]
    pub duration: f64,
    /// Coding of the extended advertising packets (primary and AUX).
    #[arg(long, value_enum, default_value_t = CodingArg::S8)]
    pub coding: CodingArg,
    /// Also send BLE 4 legacy advertising (as ArduRemoteID does).
    #[arg(long)]
    pub legacy: bool,
    /// Eb/N0 per information bit of the coded PHY (dB): S=8 puts 8 symbols
    /// in a bit, so this is 9.0 dB above the per-symbol (1 Mb/s) Eb/N0 the
    /// legacy adverts get; S=2, 3.0 dB.
    #[arg(long = "ebn0-db", default_value_t = 20.0, allow_negative_numbers = true)]
    pub ebn0_db: f64,
    /// Sample format of the output (cu8, cs8, cs16, cf32, cf64).
    #[arg(long, value_parser = decode::parse_format, default_value = "cu8")]
    pub format: crate::source::SampleFormat,
    #[command(flatten)]
    pub common: CommonSynthArgs,
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
fn scenario_config(c: &CommonSynthArgs, drones: usize, duration_s: f64) -> crate::synth::scenario::ScenarioConfig {
    crate::synth::scenario::ScenarioConfig {
        seed: c.seed,
        drones,
        duration_s,
        origin_lat_deg: c.lat,
        origin_lon_deg: c.lon,
        ..crate::synth::scenario::ScenarioConfig::default()
    }
}

/// The BLE IQ settings of a synth command (Eb/N0 per 1 Mb/s symbol).
fn ble_iq_config(c: &CommonSynthArgs, rate: f64, freq: f64, ebn0_db: f64) -> crate::synth::iq::IqConfig {
    crate::synth::iq::IqConfig {
        sample_rate: rate,
        center_freq_hz: freq,
        ebn0_db,
        cfo_hz: c.cfo_hz,
        ppm: c.ppm,
        seed: c.seed,
        amplitude: None,
    }
}

/// The first Ctrl-C stops reading (what was read is decoded and every
/// output finished); a second one exits at once.
fn stop_on_ctrl_c(cfg: &decode::DecodeConfig) {
    let stop = cfg.stop.clone();
    let _ = ctrlc::set_handler(move || {
        if stop.swap(true, std::sync::atomic::Ordering::SeqCst) {
            std::process::exit(130);
        }
    });
}

/// Entry point used by `main`.
pub fn main() -> ExitCode {
    dispatch(Cli::parse())
}

/// Runs parsed arguments (benches and tests call it with `Cli::try_parse_from`).
pub fn dispatch(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Parse(a) => parse::run(parse::ParseConfig::from_args(a)),
        Command::Decode(a) => {
            let cfg = match receive_config(a.rx.config(), a.out, a.rt, &a.watch) {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("ridscope: {e}");
                    return ExitCode::from(2);
                }
            };
            stop_on_ctrl_c(&cfg);
            decode::run(cfg)
        }
        Command::Export(a) => export::run(export::ExportConfig {
            input: a.input,
            db: a.db.unwrap_or_default(),
            format: a.format,
            id: a.id,
            session: a.session,
            since: a.since,
            until: a.until,
            output: a.output,
        }),
        Command::Report(a) => {
            let decode = a.input.clone().map(|i| {
                let mut c = decode::DecodeConfig::new(i);
                c.source.format = a.sample_format;
                c.source.rate = a.rate;
                c.source.freq = a.freq;
                a.receivers.apply(&mut c);
                c.quiet = true;
                c
            });
            report::run(report::ReportRun {
                input: a.input,
                decode,
                db: a.db,
                sessions: a.session,
                format: a.format,
                output: a.output,
                cfg: crate::report::ReportConfig { sensor: a.sensor, id: a.id },
            })
        }
        Command::Live(a) => {
            let mut cfg = match receive_config(a.opts.config(a.device), a.out, a.rt, &a.watch) {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("ridscope: {e}");
                    return ExitCode::from(2);
                }
            };
            if !(a.status_every.is_finite() && a.status_every > 0.0) {
                eprintln!("ridscope: --status-every {}: a positive number of seconds", a.status_every);
                return ExitCode::from(2);
            }
            if a.tui {
                return tui::run(tui::TuiConfig {
                    decode: cfg,
                    watch: a.watch.config(),
                    speed: f64::INFINITY,
                    live: true,
                });
            }
            cfg.status_every_s = Some(a.status_every);
            stop_on_ctrl_c(&cfg);
            decode::run(cfg)
        }
        Command::Tui(a) => {
            tui::run(tui::TuiConfig { decode: a.rx.config(), watch: a.watch.config(), speed: a.speed, live: false })
        }
        Command::Synth(SynthCommand::Ble(a)) => {
            let scenario = scenario_config(&a.common, a.drones, a.duration);
            let iq = ble_iq_config(&a.common, a.rate, a.freq, a.ebn0_db);
            synth::run(synth::SynthBleConfig {
                output: a.output,
                truth: a.truth,
                format: a.format,
                scenario,
                iq,
                legacy: true,
                ble5: None,
            })
        }
        Command::Synth(SynthCommand::Ble5(a)) => {
            let scenario = scenario_config(&a.common, a.drones, a.duration);
            let (phy, s) = match a.coding {
                CodingArg::S8 => (crate::synth::scenario::BlePhy::CodedS8, 8.0f64),
                CodingArg::S2 => (crate::synth::scenario::BlePhy::CodedS2, 2.0),
            };
            let iq = ble_iq_config(&a.common, a.rate, a.freq, a.ebn0_db - 10.0 * s.log10());
            synth::run(synth::SynthBleConfig {
                output: a.output,
                truth: a.truth,
                format: a.format,
                scenario,
                iq,
                legacy: a.legacy,
                ble5: Some(phy),
            })
        }
        Command::Synth(SynthCommand::Dji(a)) => {
            let scenario = scenario_config(&a.common, a.drones, a.duration);
            let iq = crate::synth::dji::DjiIqConfig {
                sample_rate: a.rate,
                center_freq_hz: a.freq,
                snr_db: a.snr_db,
                cfo_hz: a.common.cfo_hz,
                ppm: a.common.ppm,
                seed: a.common.seed,
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
        Command::Synth(SynthCommand::Wifi(a)) => {
            let scenario = scenario_config(&a.common, a.drones, a.duration);
            let iq = crate::synth::wifi::WifiIqConfig {
                sample_rate: a.rate,
                center_freq_hz: a.freq,
                snr_db: a.snr_db,
                cfo_hz: a.common.cfo_hz,
                ppm: a.common.ppm,
                seed: a.common.seed,
                amplitude: None,
            };
            let plan = crate::synth::wifi::WifiPlan {
                transport: match a.transport {
                    WifiTransportArg::Beacon => crate::synth::wifi::WifiTransport::Beacon,
                    WifiTransportArg::Nan => crate::synth::wifi::WifiTransport::Nan,
                    WifiTransportArg::French => crate::synth::wifi::WifiTransport::French,
                    WifiTransportArg::Dji => crate::synth::wifi::WifiTransport::Dji,
                },
                period_s: a.period,
                channel: a.channel,
                rate: a.mbps,
                preamble: match a.preamble {
                    PreambleArg::Long => crate::phy::wifi_dsss::plcp::Preamble::Long,
                    PreambleArg::Short => crate::phy::wifi_dsss::plcp::Preamble::Short,
                },
            };
            synth::run_wifi(synth::SynthWifiConfig {
                output: a.output,
                truth: a.truth,
                format: a.format,
                scenario,
                iq,
                plan,
                from_pcap: a.from_pcap,
            })
        }
        Command::Synth(SynthCommand::Mixed(a)) => {
            let scenario = scenario_config(&a.common, a.drones, a.duration);
            let ble = ble_iq_config(&a.common, a.rate, a.freq, a.ebn0_db);
            let wifi = crate::synth::wifi::WifiIqConfig {
                sample_rate: a.rate,
                center_freq_hz: a.freq,
                snr_db: a.wifi_snr_db,
                cfo_hz: a.common.cfo_hz,
                ppm: a.common.ppm,
                seed: a.common.seed,
                amplitude: None,
            };
            let dji = crate::synth::dji::DjiIqConfig {
                sample_rate: a.rate,
                center_freq_hz: a.freq,
                snr_db: a.dji_snr_db,
                cfo_hz: a.common.cfo_hz,
                ppm: a.common.ppm,
                seed: a.common.seed,
                amplitude: None,
            };
            let wifi_plan = crate::synth::wifi::WifiPlan {
                period_s: a.wifi_period,
                channel: a.wifi_channel,
                ..crate::synth::wifi::WifiPlan::default()
            };
            let dji_plan = crate::synth::dji::DjiPlan {
                period_s: a.dji_period,
                freqs_hz: a.dji_channels,
                ..crate::synth::dji::DjiPlan::default()
            };
            synth::run_mixed(synth::SynthMixedConfig {
                output: a.output,
                truth: a.truth,
                format: a.format,
                scenario,
                ble,
                wifi,
                wifi_plan,
                dji,
                dji_plan,
                ble5: a.ble5.then_some(crate::synth::scenario::BlePhy::CodedS8),
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
