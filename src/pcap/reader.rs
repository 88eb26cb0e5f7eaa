//! Streaming reader for classic pcap and pcapng capture files.
//!
//! [`PcapReader`] reads one record at a time from any [`Read`], so memory
//! stays bounded by the largest record (at most [`MAX_BLOCK_LEN`]) whatever
//! the file size. Classic pcap: microsecond and nanosecond magics in both byte
//! orders. pcapng: Section Header, Interface Description (link type, snap
//! length, `if_tsresol`, `if_tsoffset`), Enhanced Packet, Simple Packet and
//! the obsolete Packet Block; every other block type is skipped by its length.
//! Several sections, each with its own byte order and interfaces, may follow
//! one another.

use std::io::{self, BufReader, Read};
use std::path::Path;

/// Largest record (classic pcap) or block (pcapng) the reader accepts. Larger
/// lengths are treated as corruption rather than allocated.
pub const MAX_BLOCK_LEN: u32 = 16 * 1024 * 1024;

/// Most interfaces one pcapng section may describe (bounds the reader's memory).
const MAX_INTERFACES: usize = 65_536;

/// Why a capture file could not be read (further).
///
/// Messages are one line and do not name the file; the caller prefixes it.
#[derive(Debug, thiserror::Error)]
pub enum PcapError {
    /// The underlying reader failed.
    #[error("read error: {0}")]
    Io(#[from] io::Error),
    /// The file does not start with a pcap or pcapng magic number.
    #[error("not a pcap or pcapng file: {detail}")]
    NotPcap { detail: String },
    /// The file ends inside a record or block that starts at byte `offset`.
    #[error("truncated at byte {offset}: {detail}")]
    Truncated { offset: u64, detail: String },
    /// A record or block starting at byte `offset` is inconsistent.
    #[error("malformed at byte {offset}: {detail}")]
    Malformed { offset: u64, detail: String },
}

/// One captured packet as stored in the file, before any link-layer parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// 1-based position of the record in the file (Wireshark's frame number).
    pub frame_no: u64,
    /// Interface the packet was captured on, numbered from 0 across all
    /// sections of a pcapng file in order of description (0 for classic pcap).
    pub interface: u32,
    /// LINKTYPE_* value of the interface (see [`super::linktype`]).
    pub linktype: u32,
    /// Capture time, Unix nanoseconds; `None` for pcapng Simple Packet Blocks.
    pub unix_ns: Option<i128>,
    /// Length of the packet on the wire; `data` may be shorter (snap length).
    pub orig_len: u32,
    /// The captured bytes, starting with the link-layer header.
    pub data: Vec<u8>,
}

/// Byte order of a classic file or a pcapng section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Endian {
    Little,
    Big,
}

impl Endian {
    fn u16(self, b: &[u8], off: usize) -> Option<u16> {
        let a: [u8; 2] = b.get(off..off.checked_add(2)?)?.try_into().ok()?;
        Some(match self {
            Endian::Little => u16::from_le_bytes(a),
            Endian::Big => u16::from_be_bytes(a),
        })
    }

    fn u32(self, b: &[u8], off: usize) -> Option<u32> {
        let a: [u8; 4] = b.get(off..off.checked_add(4)?)?.try_into().ok()?;
        Some(match self {
            Endian::Little => u32::from_le_bytes(a),
            Endian::Big => u32::from_be_bytes(a),
        })
    }

    fn i64(self, b: &[u8], off: usize) -> Option<i64> {
        let a: [u8; 8] = b.get(off..off.checked_add(8)?)?.try_into().ok()?;
        Some(match self {
            Endian::Little => i64::from_le_bytes(a),
            Endian::Big => i64::from_be_bytes(a),
        })
    }
}

/// Whether the first four bytes of a file are a pcap or pcapng magic number.
pub fn is_pcap_magic(head: &[u8]) -> bool {
    head.get(..4).is_some_and(|m| {
        m == ng::SHB_TYPE_BYTES
            || [classic::MAGIC_US_LE, classic::MAGIC_US_BE, classic::MAGIC_NS_LE, classic::MAGIC_NS_BE]
                .iter()
                .any(|c| m == c)
    })
}

/// Classic pcap layout (libpcap file format).
mod classic {
    /// Magic numbers as the first four bytes appear in the file.
    pub const MAGIC_US_LE: [u8; 4] = [0xD4, 0xC3, 0xB2, 0xA1];
    pub const MAGIC_US_BE: [u8; 4] = [0xA1, 0xB2, 0xC3, 0xD4];
    pub const MAGIC_NS_LE: [u8; 4] = [0x4D, 0x3C, 0xB2, 0xA1];
    pub const MAGIC_NS_BE: [u8; 4] = [0xA1, 0xB2, 0x3C, 0x4D];

    /// File header: magic, version, thiszone, sigfigs, snaplen, network.
    pub const FILE_HEADER_LEN: usize = 24;
    pub const NETWORK: usize = 20;
    /// The low bits of the network field hold the link type; the high bits
    /// may carry an FCS length (as libpcap's `LT_LINKTYPE`).
    pub const LINKTYPE_MASK: u32 = 0x03FF_FFFF;

    /// Record header: ts_sec, ts_usec (or ts_nsec), incl_len, orig_len.
    pub const RECORD_HEADER_LEN: usize = 16;
    pub const TS_SEC: usize = 0;
    pub const TS_FRAC: usize = 4;
    pub const INCL_LEN: usize = 8;
    pub const ORIG_LEN: usize = 12;
}

/// pcapng layout.
mod ng {
    pub const SHB_TYPE: u32 = 0x0A0D_0D0A;
    pub const SHB_TYPE_BYTES: [u8; 4] = [0x0A, 0x0D, 0x0D, 0x0A];
    pub const BYTE_ORDER_MAGIC_LE: [u8; 4] = [0x4D, 0x3C, 0x2B, 0x1A];
    pub const BYTE_ORDER_MAGIC_BE: [u8; 4] = [0x1A, 0x2B, 0x3C, 0x4D];
    pub const IDB_TYPE: u32 = 1;
    pub const PB_TYPE: u32 = 2;
    pub const SPB_TYPE: u32 = 3;
    pub const EPB_TYPE: u32 = 6;

    /// Block type + block total length.
    pub const BLOCK_HEAD_LEN: usize = 8;
    /// Block type + total length + trailing total length.
    pub const BLOCK_OVERHEAD: u32 = 12;
    /// Smallest SHB: overhead, byte-order magic, version, section length.
    pub const SHB_MIN_LEN: u32 = 28;

    /// SHB body after the byte-order magic: major, minor, section length.
    pub const SHB_MAJOR: usize = 0;
    pub const SHB_MINOR: usize = 2;

    /// IDB body: link type, reserved, snap length, options.
    pub const IDB_LINKTYPE: usize = 0;
    pub const IDB_SNAPLEN: usize = 4;
    pub const IDB_OPTIONS: usize = 8;
    pub const OPT_END: u16 = 0;
    pub const OPT_IF_TSRESOL: u16 = 9;
    pub const OPT_IF_TSOFFSET: u16 = 14;

    /// EPB body: interface id, timestamp high/low, captured and original
    /// length, data. The obsolete Packet Block has the same layout except
    /// that its interface id is a u16 followed by a u16 drops count.
    pub const EPB_INTERFACE: usize = 0;
    pub const EPB_TS_HIGH: usize = 4;
    pub const EPB_TS_LOW: usize = 8;
    pub const EPB_CAP_LEN: usize = 12;
    pub const EPB_ORIG_LEN: usize = 16;
    pub const EPB_DATA: usize = 20;

    /// SPB body: original length, data.
    pub const SPB_ORIG_LEN: usize = 0;
    pub const SPB_DATA: usize = 4;
}

/// Units of a pcapng interface's timestamps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TsResol {
    /// 10^-n seconds.
    Pow10(u8),
    /// 2^-n seconds.
    Pow2(u8),
}

impl TsResol {
    fn from_option(b: u8) -> Self {
        if b & 0x80 != 0 { TsResol::Pow2(b & 0x7F) } else { TsResol::Pow10(b) }
    }

    /// Timestamp units to nanoseconds (rounded down).
    fn to_ns(self, ts: u64) -> i128 {
        let ts = i128::from(ts);
        match self {
            TsResol::Pow10(e) if e <= 9 => ts * 10i128.pow(9 - u32::from(e)),
            TsResol::Pow10(e) => match 10i128.checked_pow(u32::from(e) - 9) {
                Some(d) => ts / d,
                None => 0,
            },
            // ts < 2^64 and 10^9 < 2^30, so the product fits; e <= 127.
            TsResol::Pow2(e) => (ts * 1_000_000_000) >> e,
        }
    }
}

#[derive(Debug, Clone)]
struct Interface {
    linktype: u32,
    snaplen: u32,
    tsresol: TsResol,
    tsoffset_s: i64,
}

#[derive(Debug)]
enum Format {
    Classic { endian: Endian, nanos: bool, linktype: u32 },
    Ng { endian: Endian, interfaces: Vec<Interface>, first_interface: u32 },
}

/// Streaming reader over a pcap or pcapng file; an iterator of
/// `Result<Record, PcapError>`.
///
/// Records are yielded in file order. On the first error (truncated file,
/// corrupt block, read failure) the iterator yields that error once and then
/// ends; every record before the error has been yielded.
#[derive(Debug)]
pub struct PcapReader<R: Read> {
    input: BufReader<R>,
    /// File offset of the next unread byte.
    offset: u64,
    format: Format,
    frame_no: u64,
    finished: bool,
}

impl PcapReader<std::fs::File> {
    /// Opens a file and reads its file or first section header.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, PcapError> {
        Self::new(std::fs::File::open(path)?)
    }
}

impl<R: Read> PcapReader<R> {
    /// Reads the file header (classic) or first Section Header Block (pcapng)
    /// and returns a reader positioned at the first record.
    pub fn new(input: R) -> Result<Self, PcapError> {
        let mut r = PcapReader {
            input: BufReader::new(input),
            offset: 0,
            format: Format::Classic { endian: Endian::Little, nanos: false, linktype: 0 },
            frame_no: 0,
            finished: false,
        };
        let mut magic = [0u8; 4];
        let n = r.read_full(&mut magic)?;
        if n == 0 {
            return Err(PcapError::NotPcap { detail: "the file is empty".into() });
        }
        if n < magic.len() {
            let got = magic.get(..n).unwrap_or_default();
            return Err(PcapError::NotPcap {
                detail: format!("the file is only {n} bytes long ({}), too short for a magic number", hex(got)),
            });
        }
        if magic == ng::SHB_TYPE_BYTES {
            r.format = Format::Ng { endian: Endian::Little, interfaces: Vec::new(), first_interface: 0 };
            r.read_section_header(0)?;
            return Ok(r);
        }
        let (endian, nanos) = match magic {
            classic::MAGIC_US_LE => (Endian::Little, false),
            classic::MAGIC_US_BE => (Endian::Big, false),
            classic::MAGIC_NS_LE => (Endian::Little, true),
            classic::MAGIC_NS_BE => (Endian::Big, true),
            _ => {
                return Err(PcapError::NotPcap {
                    detail: format!(
                        "first bytes are {} ({}), expected a pcap magic (a1b2c3d4 or a1b23c4d, either byte order) \
                         or a pcapng section header (0a0d0d0a)",
                        hex(&magic),
                        printable(&magic)
                    ),
                });
            }
        };
        let mut header = [0u8; classic::FILE_HEADER_LEN];
        header[..4].copy_from_slice(&magic);
        let n = r.read_full(&mut header[4..])?;
        if n < classic::FILE_HEADER_LEN - 4 {
            return Err(PcapError::Truncated {
                offset: 0,
                detail: format!("file header is {} bytes, only {} present", classic::FILE_HEADER_LEN, n + 4),
            });
        }
        let network = endian.u32(&header, classic::NETWORK).unwrap_or(0);
        r.format = Format::Classic { endian, nanos, linktype: network & classic::LINKTYPE_MASK };
        Ok(r)
    }

    /// Reads until `buf` is full or the input ends; returns the bytes read.
    fn read_full(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut n = 0;
        while n < buf.len() {
            let Some(rest) = buf.get_mut(n..) else { break };
            match self.input.read(rest) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        self.offset += n as u64;
        Ok(n)
    }

    /// Reads up to `len` bytes into a new vector (grown as data arrives, so a
    /// lying length in a short file does not allocate the full amount).
    fn read_vec(&mut self, len: u32) -> io::Result<Vec<u8>> {
        let mut v = Vec::with_capacity((len as usize).min(64 * 1024));
        (&mut self.input).take(u64::from(len)).read_to_end(&mut v)?;
        self.offset += v.len() as u64;
        Ok(v)
    }

    /// Skips up to `len` bytes; returns how many were skipped.
    fn skip(&mut self, len: u32) -> io::Result<u64> {
        let n = io::copy(&mut (&mut self.input).take(u64::from(len)), &mut io::sink())?;
        self.offset += n;
        Ok(n)
    }

    fn next_classic(&mut self, endian: Endian, nanos: bool, linktype: u32) -> Result<Option<Record>, PcapError> {
        let start = self.offset;
        let mut h = [0u8; classic::RECORD_HEADER_LEN];
        let n = self.read_full(&mut h)?;
        if n == 0 {
            return Ok(None);
        }
        if n < h.len() {
            return Err(PcapError::Truncated {
                offset: start,
                detail: format!("record header is {} bytes, only {n} present", h.len()),
            });
        }
        let field = |off| endian.u32(&h, off).unwrap_or(0);
        let (ts_sec, ts_frac) = (field(classic::TS_SEC), field(classic::TS_FRAC));
        let (incl_len, orig_len) = (field(classic::INCL_LEN), field(classic::ORIG_LEN));
        if incl_len > MAX_BLOCK_LEN {
            return Err(PcapError::Malformed {
                offset: start,
                detail: format!("record claims {incl_len} captured bytes, more than the {MAX_BLOCK_LEN}-byte limit"),
            });
        }
        let data = self.read_vec(incl_len)?;
        if data.len() < incl_len as usize {
            return Err(PcapError::Truncated {
                offset: start,
                detail: format!("record of {incl_len} bytes cut off after {} bytes", data.len()),
            });
        }
        let frac_ns = if nanos { i128::from(ts_frac) } else { i128::from(ts_frac) * 1000 };
        Ok(Some(Record {
            frame_no: 0,
            interface: 0,
            linktype,
            unix_ns: Some(i128::from(ts_sec) * 1_000_000_000 + frac_ns),
            orig_len,
            data,
        }))
    }

    /// Reads a Section Header Block whose 4-byte type has already been read
    /// at `start`, and starts a new section.
    fn read_section_header(&mut self, start: u64) -> Result<(), PcapError> {
        let mut h = [0u8; 8];
        let n = self.read_full(&mut h)?;
        if n < h.len() {
            return Err(PcapError::Truncated {
                offset: start,
                detail: format!("section header block cut off after {} bytes", n + 4),
            });
        }
        let endian = match h.get(4..8) {
            Some(m) if m == ng::BYTE_ORDER_MAGIC_LE => Endian::Little,
            Some(m) if m == ng::BYTE_ORDER_MAGIC_BE => Endian::Big,
            m => {
                return Err(PcapError::Malformed {
                    offset: start,
                    detail: format!(
                        "section header byte-order magic is {}, expected 1a2b3c4d in either byte order",
                        hex(m.unwrap_or_default())
                    ),
                });
            }
        };
        let total = endian.u32(&h, 0).unwrap_or(0);
        check_block_len(start, "section header block", total, ng::SHB_MIN_LEN)?;
        // Type, length and byte-order magic are read; the rest includes the trailer.
        let body = self.read_vec(total - ng::BLOCK_OVERHEAD)?;
        if body.len() < (total - ng::BLOCK_OVERHEAD) as usize {
            return Err(truncated_block(start, "section header block", total, body.len() + 12));
        }
        check_trailer(start, "section header block", endian, &body, total)?;
        let major = endian.u16(&body, ng::SHB_MAJOR).unwrap_or(0);
        let minor = endian.u16(&body, ng::SHB_MINOR).unwrap_or(0);
        if major != 1 {
            return Err(PcapError::Malformed {
                offset: start,
                detail: format!("pcapng version {major}.{minor} is not supported (expected 1.x)"),
            });
        }
        if let Format::Ng { endian: e, interfaces, first_interface } = &mut self.format {
            *first_interface = first_interface.saturating_add(interfaces.len() as u32);
            interfaces.clear();
            *e = endian;
        }
        Ok(())
    }

    fn next_ng(&mut self) -> Result<Option<Record>, PcapError> {
        loop {
            let start = self.offset;
            let mut h = [0u8; ng::BLOCK_HEAD_LEN];
            let n = self.read_full(&mut h[..4])?;
            if n == 0 {
                return Ok(None);
            }
            if n < 4 {
                return Err(PcapError::Truncated {
                    offset: start,
                    detail: format!("block header is {} bytes, only {n} present", ng::BLOCK_HEAD_LEN),
                });
            }
            if h[..4] == ng::SHB_TYPE_BYTES {
                self.read_section_header(start)?;
                continue;
            }
            let n = self.read_full(&mut h[4..])?;
            if n < 4 {
                return Err(PcapError::Truncated {
                    offset: start,
                    detail: format!("block header is {} bytes, only {} present", ng::BLOCK_HEAD_LEN, n + 4),
                });
            }
            let Format::Ng { endian, .. } = self.format else { return Ok(None) };
            let btype = endian.u32(&h, 0).unwrap_or(0);
            let total = endian.u32(&h, 4).unwrap_or(0);
            let name = block_name(btype);
            check_block_len(start, name, total, ng::BLOCK_OVERHEAD)?;
            let body_len = total - ng::BLOCK_OVERHEAD;
            let body = match btype {
                ng::IDB_TYPE | ng::PB_TYPE | ng::SPB_TYPE | ng::EPB_TYPE => {
                    let body = self.read_vec(body_len + 4)?;
                    if body.len() < (body_len + 4) as usize {
                        return Err(truncated_block(start, name, total, body.len() + 8));
                    }
                    check_trailer(start, name, endian, &body, total)?;
                    let mut body = body;
                    body.truncate(body_len as usize);
                    body
                }
                _ => {
                    let skipped = self.skip(body_len)?;
                    if skipped < u64::from(body_len) {
                        return Err(truncated_block(start, name, total, skipped as usize + 8));
                    }
                    let mut trailer = [0u8; 4];
                    let n = self.read_full(&mut trailer)?;
                    if n < 4 {
                        return Err(truncated_block(start, name, total, body_len as usize + 8 + n));
                    }
                    check_trailer(start, name, endian, &trailer, total)?;
                    continue;
                }
            };
            match btype {
                ng::IDB_TYPE => self.add_interface(start, endian, &body)?,
                _ => return self.packet_block(start, btype, endian, body).map(Some),
            }
        }
    }

    fn add_interface(&mut self, start: u64, endian: Endian, body: &[u8]) -> Result<(), PcapError> {
        let (Some(linktype), Some(snaplen)) = (endian.u16(body, ng::IDB_LINKTYPE), endian.u32(body, ng::IDB_SNAPLEN))
        else {
            return Err(PcapError::Malformed {
                offset: start,
                detail: format!("interface description block body is {} bytes, need at least 8", body.len()),
            });
        };
        let mut iface = Interface { linktype: u32::from(linktype), snaplen, tsresol: TsResol::Pow10(6), tsoffset_s: 0 };
        // Options: code u16, length u16, value padded to 4 bytes. A broken
        // option list ends the list rather than the file.
        let mut off = ng::IDB_OPTIONS;
        while let (Some(code), Some(len)) = (endian.u16(body, off), endian.u16(body, off + 2)) {
            let value = off + 4;
            let Some(v) = body.get(value..value + usize::from(len)) else { break };
            match code {
                ng::OPT_END => break,
                ng::OPT_IF_TSRESOL => {
                    if let Some(&b) = v.first() {
                        iface.tsresol = TsResol::from_option(b);
                    }
                }
                ng::OPT_IF_TSOFFSET => {
                    if let Some(s) = endian.i64(v, 0) {
                        iface.tsoffset_s = s;
                    }
                }
                _ => {}
            }
            off = value + usize::from(len).next_multiple_of(4);
        }
        let Format::Ng { interfaces, .. } = &mut self.format else { return Ok(()) };
        if interfaces.len() >= MAX_INTERFACES {
            return Err(PcapError::Malformed {
                offset: start,
                detail: format!("more than {MAX_INTERFACES} interfaces in one section"),
            });
        }
        interfaces.push(iface);
        Ok(())
    }

    fn packet_block(&mut self, start: u64, btype: u32, endian: Endian, mut body: Vec<u8>) -> Result<Record, PcapError> {
        let name = block_name(btype);
        let Format::Ng { interfaces, first_interface, .. } = &self.format else {
            return Err(PcapError::Malformed { offset: start, detail: "packet block outside pcapng".into() });
        };
        let malformed = |detail: String| PcapError::Malformed { offset: start, detail: format!("{name}: {detail}") };
        let too_short = || malformed(format!("body is {} bytes, too short for its header", body.len()));
        let (if_id, ts, cap_len, orig_len, data_off) = if btype == ng::SPB_TYPE {
            let orig_len = endian.u32(&body, ng::SPB_ORIG_LEN).ok_or_else(too_short)?;
            (0, None, None, orig_len, ng::SPB_DATA)
        } else {
            let if_id = if btype == ng::PB_TYPE {
                endian.u16(&body, ng::EPB_INTERFACE).map(u32::from)
            } else {
                endian.u32(&body, ng::EPB_INTERFACE)
            };
            let fields = (
                if_id,
                endian.u32(&body, ng::EPB_TS_HIGH),
                endian.u32(&body, ng::EPB_TS_LOW),
                endian.u32(&body, ng::EPB_CAP_LEN),
                endian.u32(&body, ng::EPB_ORIG_LEN),
            );
            let (Some(if_id), Some(hi), Some(lo), Some(cap), Some(orig)) = fields else { return Err(too_short()) };
            (if_id, Some((u64::from(hi) << 32) | u64::from(lo)), Some(cap), orig, ng::EPB_DATA)
        };
        let Some(iface) = interfaces.get(if_id as usize) else {
            return Err(malformed(format!(
                "packet for interface {if_id}, but the section describes {} interface(s)",
                interfaces.len()
            )));
        };
        let room = body.len().saturating_sub(data_off);
        let cap_len = match cap_len {
            Some(c) if c as usize > room => {
                return Err(malformed(format!("captured length {c} exceeds the {room} bytes of packet data")));
            }
            Some(c) => c as usize,
            // SPB: the captured length is implied by the block length.
            None => {
                let mut c = room.min(orig_len as usize);
                if iface.snaplen != 0 {
                    c = c.min(iface.snaplen as usize);
                }
                c
            }
        };
        let unix_ns = ts.map(|t| iface.tsresol.to_ns(t) + i128::from(iface.tsoffset_s) * 1_000_000_000);
        let linktype = iface.linktype;
        let interface = first_interface.saturating_add(if_id);
        body.truncate(data_off + cap_len);
        body.drain(..data_off.min(body.len()));
        Ok(Record { frame_no: 0, interface, linktype, unix_ns, orig_len, data: body })
    }
}

impl<R: Read> Iterator for PcapReader<R> {
    type Item = Result<Record, PcapError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        let result = match self.format {
            Format::Classic { endian, nanos, linktype } => self.next_classic(endian, nanos, linktype),
            Format::Ng { .. } => self.next_ng(),
        };
        match result {
            Ok(Some(mut rec)) => {
                self.frame_no += 1;
                rec.frame_no = self.frame_no;
                Some(Ok(rec))
            }
            Ok(None) => {
                self.finished = true;
                None
            }
            Err(e) => {
                self.finished = true;
                Some(Err(e))
            }
        }
    }
}

fn block_name(btype: u32) -> &'static str {
    match btype {
        ng::SHB_TYPE => "section header block",
        ng::IDB_TYPE => "interface description block",
        ng::PB_TYPE => "packet block",
        ng::SPB_TYPE => "simple packet block",
        ng::EPB_TYPE => "enhanced packet block",
        _ => "block",
    }
}

fn check_block_len(start: u64, name: &str, total: u32, min: u32) -> Result<(), PcapError> {
    let detail = if total < min {
        format!("{name} length {total} is less than the minimum {min}")
    } else if !total.is_multiple_of(4) {
        format!("{name} length {total} is not a multiple of 4")
    } else if total > MAX_BLOCK_LEN {
        format!("{name} length {total} is more than the {MAX_BLOCK_LEN}-byte limit")
    } else {
        return Ok(());
    };
    Err(PcapError::Malformed { offset: start, detail })
}

/// Checks the trailing copy of the block length in the last 4 bytes of `buf`.
fn check_trailer(start: u64, name: &str, endian: Endian, buf: &[u8], total: u32) -> Result<(), PcapError> {
    let trailer = buf.len().checked_sub(4).and_then(|o| endian.u32(buf, o));
    if trailer == Some(total) {
        return Ok(());
    }
    Err(PcapError::Malformed {
        offset: start,
        detail: format!("{name} length {total} does not match its trailing length {}", trailer.unwrap_or(0)),
    })
}

fn truncated_block(start: u64, name: &str, total: u32, have: usize) -> PcapError {
    PcapError::Truncated { offset: start, detail: format!("{name} of {total} bytes cut off after {have} bytes") }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn printable(b: &[u8]) -> String {
    let s: String = b.iter().map(|&c| if c.is_ascii_graphic() || c == b' ' { c as char } else { '.' }).collect();
    format!("{s:?}")
}
