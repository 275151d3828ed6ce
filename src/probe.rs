//! `probeVideo`: what an MP4 or MOV file holds, read from its ISO-BMFF boxes without reading the
//! file. Box headers are walked by their sizes (a multi-GB `mdat` is skipped, not read, wherever
//! the `moov` index sits), only the few small boxes that say what the video is are read, and all
//! reads together stay under [`READ_BUDGET`]. No size in the file is trusted: every box must fit
//! inside the box or file that holds it, and the number of boxes visited is bounded, so hostile
//! bytes give a refusal, never a panic or a long walk.
//!
//! The parser is synchronous over the bytes read so far: when it needs bytes it does not hold it
//! stops and says which; the driver reads them and parses again from the start (a few passes per
//! file, each over a few dozen boxes). So the parser is small, is compiled once, and is tested
//! and fuzzed on plain byte slices.

use crate::api::validate::invalid;
use crate::error::Error;
use crate::value::{obj, Value};
use std::future::Future;
use std::pin::Pin;

/// The most a probe reads of any file, in bytes.
pub const READ_BUDGET: u64 = 2 * 1024 * 1024;
/// Reads are at least this long, so that neighbouring small boxes come in one read.
const WINDOW: u64 = 16 * 1024;
const MAX_BOXES: u32 = 4096;

/// A read in progress.
pub type Reading<'a> = Pin<Box<dyn Future<Output = Result<Vec<u8>, Error>> + 'a>>;

/// Where the bytes come from: a `Blob` in wasm, anything in tests. Used as `dyn Source`, so the
/// driver is compiled once whatever reads for it.
pub trait Source {
    /// Bytes `start..end` of the file (`end` is at most its size).
    fn read(&self, start: u64, end: u64) -> Reading<'_>;
}

/// What a probe found.
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    /// `mp4`, or `mov` for QuickTime files.
    pub container: &'static str,
    pub duration_s: Option<f64>,
    /// Of the first video track, as it is presented (track header), else as coded.
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// The first video track's sample entry (`avc1`, `hvc1`, `av01`, ...).
    pub codec: Option<String>,
    /// Movie fragments follow (`mvex` in `moov`).
    pub fragmented: bool,
    /// Bytes read to find all this.
    pub bytes_read: u64,
}

impl Probe {
    /// `{container, duration_s, width, height, codec, fragmented}`, as `probeVideo` resolves.
    pub fn to_value(&self) -> Value {
        let num = |n: Option<u32>| n.map_or(Value::Null, |n| Value::Num(f64::from(n)));
        obj([
            ("container", Value::Str(self.container.into())),
            (
                "duration_s",
                self.duration_s.map_or(Value::Null, Value::Num),
            ),
            ("width", num(self.width)),
            ("height", num(self.height)),
            ("codec", self.codec.clone().map_or(Value::Null, Value::Str)),
            ("fragmented", Value::Bool(self.fragmented)),
        ])
    }
}

/// Probes a file of `size` bytes. A file that is not ISO-BMFF video is a `Validation` error
/// whose text completes "... is not an MP4 or MOV video: "; a failed read is the reader's error.
pub fn probe(
    src: &dyn Source,
    size: u64,
) -> Pin<Box<dyn Future<Output = Result<Probe, Error>> + '_>> {
    Box::pin(drive(src, size))
}

async fn drive(src: &dyn Source, size: u64) -> Result<Probe, Error> {
    let mut held: Vec<(u64, Vec<u8>)> = Vec::new();
    let mut read = 0;
    loop {
        match parse(&held, size) {
            Ok(mut p) => {
                p.bytes_read = read;
                return Ok(p);
            }
            Err(Stop::Refuse(why)) => return Err(invalid(why)),
            Err(Stop::Need(off, len)) => {
                let end = off.saturating_add(len.max(WINDOW)).min(size);
                read += end - off;
                if read > READ_BUDGET {
                    return Err(invalid(
                        "what says it is a video was not found within the first 2 MiB read",
                    ));
                }
                let bytes = src.read(off, end).await?;
                if bytes.len() as u64 != end - off {
                    return Err(Error::Network("the file could not be read whole".into()));
                }
                held.push((off, bytes));
            }
        }
    }
}

/// A refusal from [`probe`] as the caller says it, naming the file (`what`: `'clip.mp4'`, or
/// `upload item 1: 'clip.mp4'`); other errors are left as they are.
pub fn named(e: Error, what: &str) -> Error {
    match e {
        Error::Validation(why) => {
            invalid(what.to_string() + " is not an MP4 or MOV video: " + &why)
        }
        other => other,
    }
}

/// Probes bytes held whole (tests and the fuzz target).
pub fn probe_bytes(bytes: &[u8]) -> Result<Probe, Error> {
    // One window holding the whole file: the parser never needs more.
    match parse(&[(0, bytes.to_vec())], bytes.len() as u64) {
        Ok(p) => Ok(p),
        Err(Stop::Refuse(why)) => Err(invalid(why)),
        Err(Stop::Need(..)) => Err(Error::Network("the file could not be read whole".into())),
    }
}

/// Why a parse pass stopped.
enum Stop {
    /// `len` bytes at this offset are needed and not held.
    Need(u64, u64),
    /// Not an MP4/MOV video, and why.
    Refuse(String),
}

type Step<T> = Result<T, Stop>;

fn refuse<T>(why: &str) -> Step<T> {
    Err(Stop::Refuse(why.to_string()))
}

fn parse(held: &[(u64, Vec<u8>)], size: u64) -> Step<Probe> {
    if size == 0 {
        return refuse("the file is empty");
    }
    let mut p = Parser {
        held,
        size,
        boxes: 0,
    };
    let mut off = 0;
    let mut brand = None;
    while off + 8 <= size {
        let b = match p.head(off, size) {
            Err(Stop::Refuse(_)) if off == 0 => return p.not_bmff(),
            other => other?,
        };
        if off == 0 && !TOP_LEVEL.contains(&&b.kind) {
            return p.not_bmff();
        }
        match &b.kind {
            b"ftyp" if b.end - b.body >= 4 => brand = Some(fourcc(p.get(b.body, 4)?)),
            b"moov" => return p.moov(&b, brand.as_deref()),
            _ => {}
        }
        off = b.end;
    }
    refuse("it has no 'moov' box, the index every MP4 and MOV file carries (is the file complete?)")
}

/// Box types an MP4 or MOV file can start with.
const TOP_LEVEL: &[&[u8; 4]] = &[
    b"ftyp", b"styp", b"moov", b"mdat", b"free", b"skip", b"wide", b"pnot", b"uuid",
];

/// A box: its type, where its body starts and where it ends.
struct BoxAt {
    kind: [u8; 4],
    body: u64,
    end: u64,
}

/// The first video track's facts.
#[derive(Default)]
struct Track {
    video: bool,
    width: u32,
    height: u32,
    codec: Option<String>,
    coded: (u32, u32),
}

struct Parser<'a> {
    /// What was read so far: `(offset, bytes)` windows.
    held: &'a [(u64, Vec<u8>)],
    size: u64,
    boxes: u32,
}

fn be(b: &[u8]) -> u64 {
    b.iter().fold(0, |n, &x| (n << 8) | u64::from(x))
}

impl<'a> Parser<'a> {
    /// `len` bytes at `off`, when a window holds them.
    fn get(&self, off: u64, len: u64) -> Step<&'a [u8]> {
        let end = off.saturating_add(len);
        if end > self.size {
            return refuse("a box runs past the end of the file");
        }
        for (at, bytes) in self.held {
            if *at <= off && end <= at + bytes.len() as u64 {
                let from = (off - at) as usize;
                return Ok(&bytes[from..from + len as usize]);
            }
        }
        Err(Stop::Need(off, len))
    }

    /// The box header at `off`, which must end by `limit`.
    fn head(&mut self, off: u64, limit: u64) -> Step<BoxAt> {
        self.boxes += 1;
        if self.boxes > MAX_BOXES {
            return refuse("it holds more boxes than any video file does");
        }
        let room = limit - off;
        let h = self.get(off, room.min(16))?;
        if h.len() < 8 {
            return refuse("a box is cut short");
        }
        let kind = [h[4], h[5], h[6], h[7]];
        let (size, header) = match be(&h[..4]) {
            0 => (room, 8),
            1 if h.len() == 16 => (be(&h[8..16]), 16),
            1 => return refuse("a box is cut short"),
            n => (n, 8),
        };
        if size < header || size > room {
            return refuse(
                &("box '".to_string() + &fourcc(&kind) + "' is larger than what holds it"),
            );
        }
        Ok(BoxAt {
            kind,
            body: off + header,
            end: off + size,
        })
    }

    /// The box inside `parent` at `*off`, moving `*off` past it; `None` after the last.
    fn child(&mut self, parent: &BoxAt, off: &mut u64) -> Step<Option<BoxAt>> {
        // A few trailing bytes (QuickTime ends some lists with a zero word) are not a box.
        if *off + 8 > parent.end {
            return Ok(None);
        }
        let b = self.head(*off, parent.end)?;
        *off = b.end;
        Ok(Some(b))
    }

    /// Up to `len` bytes of a box's body.
    fn body(&self, b: &BoxAt, len: u64) -> Step<&'a [u8]> {
        self.get(b.body, (b.end - b.body).min(len))
    }

    fn moov(&mut self, moov: &BoxAt, brand: Option<&str>) -> Step<Probe> {
        let (mut timescale, mut duration, mut whole) = (0u64, None, None);
        let mut fragmented = false;
        let mut track: Option<Track> = None;
        let mut off = moov.body;
        while let Some(b) = self.child(moov, &mut off)? {
            match &b.kind {
                b"mvhd" => {
                    let d = self.body(&b, 32)?;
                    // Version 1 has 64-bit times.
                    let (ts, du) = if d.first() == Some(&1) {
                        (20..24, 24..32)
                    } else {
                        (12..16, 16..20)
                    };
                    if let (Some(t), Some(n)) = (d.get(ts), d.get(du)) {
                        let unknown = n.iter().all(|&x| x == 0xff);
                        timescale = be(t);
                        duration = Some(be(n)).filter(|&n| n > 0 && !unknown);
                    }
                }
                b"mvex" => {
                    fragmented = true;
                    let mut o = b.body;
                    while let Some(m) = self.child(&b, &mut o)? {
                        if &m.kind == b"mehd" {
                            let d = self.body(&m, 12)?;
                            let n = if d.first() == Some(&1) {
                                d.get(4..12)
                            } else {
                                d.get(4..8)
                            };
                            whole = n.map(be).filter(|&n| n > 0);
                        }
                    }
                }
                b"trak" if !track.as_ref().is_some_and(|t| t.video) => {
                    track = Some(self.trak(&b)?);
                }
                _ => {}
            }
        }
        let Some(t) = track.filter(|t| t.video) else {
            return refuse("it has no video track (is it audio only?)");
        };
        let some = |n: u32| Some(n).filter(|&n| n > 0);
        let (w, h) = if t.width > 0 && t.height > 0 {
            (t.width, t.height)
        } else {
            t.coded
        };
        Ok(Probe {
            container: if brand.is_none() || brand == Some("qt") {
                "mov"
            } else {
                "mp4"
            },
            duration_s: duration
                .or(whole)
                .filter(|_| timescale > 0)
                .map(|n| n as f64 / timescale as f64),
            width: some(w),
            height: some(h),
            codec: t.codec,
            fragmented,
            bytes_read: 0,
        })
    }

    /// A track: its header's size, and (through `mdia`) whether it is video and its codec.
    fn trak(&mut self, trak: &BoxAt) -> Step<Track> {
        let mut t = Track::default();
        let mut off = trak.body;
        while let Some(b) = self.child(trak, &mut off)? {
            match &b.kind {
                b"tkhd" => {
                    let d = self.body(&b, 96)?;
                    // 16.16 fixed point, after 64-bit times in version 1.
                    let at = if d.first() == Some(&1) { 88 } else { 76 };
                    if let (Some(w), Some(h)) = (d.get(at..at + 4), d.get(at + 4..at + 8)) {
                        t.width = (be(w) >> 16) as u32;
                        t.height = (be(h) >> 16) as u32;
                    }
                }
                b"mdia" => self.mdia(&b, &mut t)?,
                _ => {}
            }
        }
        Ok(t)
    }

    fn mdia(&mut self, mdia: &BoxAt, t: &mut Track) -> Step<()> {
        let mut handler = None;
        let mut off = mdia.body;
        while let Some(b) = self.child(mdia, &mut off)? {
            match &b.kind {
                b"hdlr" => {
                    let d = self.body(&b, 12)?;
                    handler = d.get(8..12).map(|h| h == b"vide");
                }
                // Only a video track's sample table is worth reading.
                b"minf" if handler != Some(false) => {
                    let mut o = b.body;
                    while let Some(s) = self.child(&b, &mut o)? {
                        if &s.kind == b"stbl" {
                            self.stbl(&s, t)?;
                        }
                    }
                }
                _ => {}
            }
        }
        t.video = handler == Some(true);
        Ok(())
    }

    /// The first sample entry of `stsd`: its format, and a visual entry's coded size.
    fn stbl(&mut self, stbl: &BoxAt, t: &mut Track) -> Step<()> {
        let mut off = stbl.body;
        while let Some(b) = self.child(stbl, &mut off)? {
            if &b.kind == b"stsd" {
                let d = self.body(&b, 44)?;
                if let Some(format) = d.get(12..16) {
                    t.codec = Some(fourcc(format));
                }
                if let (Some(w), Some(h)) = (d.get(40..42), d.get(42..44)) {
                    t.coded = (be(w) as u32, be(h) as u32);
                }
                // The rest of the table (sample sizes, offsets) can be megabytes: not needed.
                return Ok(());
            }
        }
        Ok(())
    }

    /// Says what a file that is not ISO-BMFF looks like instead.
    fn not_bmff<T>(&self) -> Step<T> {
        // 189 bytes: enough for a second MPEG-TS sync byte.
        let head = self.get(0, self.size.min(189))?;
        refuse(&looks_like(head))
    }
}

/// A box type as text (`qt  ` is `qt`), with `?` for what is not printable.
fn fourcc(b: &[u8]) -> String {
    let mut text = String::with_capacity(b.len());
    for &c in b {
        text.push(if c.is_ascii_graphic() || c == b' ' {
            c as char
        } else {
            '?'
        });
    }
    text.trim_end().to_string()
}

/// What the first bytes of a file suggest it is.
fn looks_like(head: &[u8]) -> String {
    let kinds: [(&[u8], usize, &str); 9] = [
        (b"\x1a\x45\xdf\xa3", 0, "it is a WebM or Matroska file"),
        (b"AVI ", 8, "it is an AVI file"),
        (b"WAVE", 8, "it is a WAV file"),
        (b"\x89PNG", 0, "it is a PNG image"),
        (b"\xff\xd8\xff", 0, "it is a JPEG image"),
        (b"GIF8", 0, "it is a GIF image"),
        (b"%PDF", 0, "it is a PDF document"),
        (b"PK\x03\x04", 0, "it is a ZIP archive"),
        (b"ID3", 0, "it is an MP3 file"),
    ];
    for (magic, at, what) in kinds {
        if head.get(at..at + magic.len()) == Some(magic) {
            return what.to_string();
        }
    }
    // MPEG-TS: 188-byte packets, each starting with the sync byte 0x47.
    if head.first() == Some(&0x47) && head.get(188) == Some(&0x47) {
        return "it is an MPEG transport stream".into();
    }
    // Text (UTF-8 included): no control bytes but line breaks and tabs.
    let plain = |b: &u8| *b >= 0x20 && *b != 0x7f || matches!(*b, b'\t' | b'\n' | b'\r');
    if head.iter().all(plain) {
        return "it is text".into();
    }
    let mut found = String::from("it does not start like one (its first bytes are");
    for b in head.iter().take(8) {
        let d = b"0123456789abcdef";
        found.push(' ');
        found.push(d[usize::from(b >> 4)] as char);
        found.push(d[usize::from(b & 15)] as char);
    }
    found + ")"
}

#[cfg(test)]
pub mod fixture {
    //! MP4 files built box by box, for tests.

    pub fn boxed(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut out = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(body);
        out
    }

    fn u32s(v: &[u32]) -> Vec<u8> {
        v.iter().flat_map(|n| n.to_be_bytes()).collect()
    }

    /// A `moov` for one video track of `seconds`, `w` x `h`, codec `avc1`, plus an audio track.
    pub fn moov(seconds: u32, w: u32, h: u32) -> Vec<u8> {
        let mut mvhd = u32s(&[0, 0, 0, 1000, seconds * 1000]);
        mvhd.resize(100, 0);
        let mut tkhd = vec![0u8; 76];
        tkhd.extend(u32s(&[w << 16, h << 16]));
        let hdlr = |h: &[u8; 4]| boxed(b"hdlr", &[&[0u8; 8][..], h, &[0; 13]].concat());
        let mut entry = vec![0u8; 24];
        entry.extend([(w >> 8) as u8, w as u8, (h >> 8) as u8, h as u8]);
        entry.extend([0u8; 50]);
        let stsd = boxed(b"stsd", &[u32s(&[0, 1]), boxed(b"avc1", &entry)].concat());
        let stbl = boxed(b"stbl", &[stsd, boxed(b"stsz", &[0u8; 400])].concat());
        let video = boxed(
            b"trak",
            &[
                boxed(b"tkhd", &tkhd),
                boxed(
                    b"mdia",
                    &[
                        boxed(b"mdhd", &[0u8; 24]),
                        hdlr(b"vide"),
                        boxed(b"minf", &stbl),
                    ]
                    .concat(),
                ),
            ]
            .concat(),
        );
        let audio = boxed(
            b"trak",
            &[
                boxed(b"tkhd", &[0u8; 84]),
                boxed(
                    b"mdia",
                    &[hdlr(b"soun"), boxed(b"minf", &[0u8; 64])].concat(),
                ),
            ]
            .concat(),
        );
        boxed(
            b"moov",
            &[
                boxed(b"mvhd", &mvhd),
                audio,
                video,
                boxed(b"udta", &[0u8; 4]),
            ]
            .concat(),
        )
    }

    pub fn ftyp(brand: &[u8; 4]) -> Vec<u8> {
        boxed(
            b"ftyp",
            &[&brand[..], &[0, 0, 2, 0], b"isomiso2avc1mp41"].concat(),
        )
    }

    /// ftyp + moov + an `mdat` that runs to the end of the file, whatever its length.
    pub fn faststart() -> Vec<u8> {
        [
            ftyp(b"isom"),
            moov(12, 1920, 1080),
            vec![0, 0, 0, 0],
            b"mdat".to_vec(),
        ]
        .concat()
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::fixture::*;
    use super::*;
    use crate::api::testing::block_on;
    use std::cell::Cell;

    fn run(bytes: &[u8]) -> Result<Probe, Error> {
        probe_bytes(bytes)
    }

    fn refusal(bytes: &[u8]) -> String {
        match run(bytes) {
            Err(Error::Validation(m)) => m.to_string(),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn reads_a_faststart_mp4() {
        let p = run(&faststart()).unwrap();
        assert_eq!(
            (
                p.container,
                p.duration_s,
                p.width,
                p.height,
                p.codec.as_deref(),
                p.fragmented
            ),
            (
                "mp4",
                Some(12.0),
                Some(1920),
                Some(1080),
                Some("avc1"),
                false
            )
        );
        assert_eq!(
            crate::value::json_text(&p.to_value()),
            r#"{"container": "mp4", "duration_s": 12, "width": 1920, "height": 1080, "codec": "avc1", "fragmented": false}"#
        );
    }

    /// A file of `len` bytes, generated as asked for, counting what is read.
    struct Virtual<F> {
        len: u64,
        at: F,
        read: Cell<u64>,
    }

    impl<F: Fn(u64) -> u8> Source for Virtual<F> {
        fn read(&self, start: u64, end: u64) -> Reading<'_> {
            assert!(end <= self.len && start <= end);
            self.read.set(self.read.get() + end - start);
            let bytes = (start..end).map(&self.at).collect();
            Box::pin(async move { Ok(bytes) })
        }
    }

    #[test]
    fn skips_a_huge_mdat_to_a_moov_at_the_end_with_64_bit_sizes() {
        // ftyp, then a 64-bit mdat of 3 GiB, then moov: the layout of a camera's file.
        let head = [
            ftyp(b"qt  "),
            vec![0, 0, 0, 1],
            b"mdat".to_vec(),
            (3u64 << 30).to_be_bytes().to_vec(),
        ]
        .concat();
        let moov = moov(600, 3840, 2160);
        let mdat_end = head.len() as u64 - 16 + (3u64 << 30);
        let len = mdat_end + moov.len() as u64;
        let file = Virtual {
            len,
            at: |i: u64| {
                if i < head.len() as u64 {
                    head[i as usize]
                } else if i >= mdat_end {
                    moov[(i - mdat_end) as usize]
                } else {
                    0
                }
            },
            read: Cell::new(0),
        };
        let p = block_on(probe(&file, len)).unwrap();
        assert_eq!(
            (p.container, p.duration_s, p.width, p.height),
            ("mov", Some(600.0), Some(3840), Some(2160))
        );
        assert_eq!(file.read.get(), p.bytes_read);
        assert!(p.bytes_read < 64 * 1024, "{}", p.bytes_read);
    }

    #[test]
    fn fragmented_files_take_their_duration_from_mehd() {
        let m = moov(0, 640, 360);
        let mehd = boxed(b"mehd", &[0, 0, 0, 0, 0, 0, 0x75, 0x30]);
        let mvex = boxed(b"mvex", &[mehd, boxed(b"trex", &[0u8; 24])].concat());
        // The same moov with mvex appended (its size grows by mvex's).
        let mut moov = ((m.len() + mvex.len()) as u32).to_be_bytes().to_vec();
        moov.extend_from_slice(&m[4..]);
        moov.extend(mvex);
        let file = [ftyp(b"iso6"), moov, boxed(b"moof", &[0u8; 8])].concat();
        let p = run(&file).unwrap();
        assert!(p.fragmented);
        assert_eq!(p.duration_s, Some(30.0));
    }

    #[test]
    fn says_what_a_file_that_is_not_a_video_is() {
        assert!(refusal(b"hello, these are my notes\n").contains("it is text"));
        assert!(refusal(b"\x1a\x45\xdf\xa3\x01\x00\x00\x00").contains("WebM"));
        assert!(refusal(b"RIFF\x00\x00\x00\x00AVI LIST").contains("AVI"));
        assert!(refusal(b"{\"a\": 1}").contains("text"));
        assert!(
            refusal(&[0x00, 0x01, 0xff, 0x80, 0x10, 0x00, 0x00, 0x00, 9])
                .contains("00 01 ff 80 10 00 00 00")
        );
        assert_eq!(refusal(b""), "the file is empty");
        // ISO-BMFF, but no index, or no picture.
        let no_moov = [ftyp(b"isom"), boxed(b"mdat", &[0u8; 100])].concat();
        assert!(refusal(&no_moov).contains("no 'moov' box"));
        let audio = [
            ftyp(b"M4A "),
            boxed(
                b"moov",
                &boxed(
                    b"trak",
                    &boxed(
                        b"mdia",
                        &boxed(b"hdlr", &[0, 0, 0, 0, 0, 0, 0, 0, b's', b'o', b'u', b'n']),
                    ),
                ),
            ),
        ]
        .concat();
        assert!(refusal(&audio).contains("no video track"));
    }

    #[test]
    fn stays_within_its_read_budget_on_a_maze_of_boxes() {
        // 100,000 empty `free` boxes: the walk gives up, having read little.
        let file: Vec<u8> = (0..100_000).flat_map(|_| boxed(b"free", &[])).collect();
        let m = refusal(&file);
        assert!(m.contains("more boxes"), "{m}");
        // One box claiming more than the file holds.
        let mut lying = faststart();
        lying[32..36].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(refusal(&lying).contains("larger than what holds it"));
    }

    /// Every single-byte change and every truncation of a valid file: an answer, never a panic.
    #[test]
    fn survives_every_mutation_of_a_valid_file() {
        let good = faststart();
        let mut outcomes = [0usize; 2];
        for i in 0..good.len() {
            for v in [0x00, 0x01, 0x7f, 0xff, good[i].wrapping_add(1)] {
                let mut m = good.clone();
                m[i] = v;
                outcomes[usize::from(run(&m).is_ok())] += 1;
            }
            let _ = run(&good[..i]);
        }
        // Most changes land in data the probe does not need; those in sizes are refused.
        assert!(outcomes[0] > 50 && outcomes[1] > 50, "{outcomes:?}");
        // Random bytes, from a fixed seed.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..2000 {
            let bytes: Vec<u8> = (0..(x % 700))
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x as u8
                })
                .collect();
            assert!(run(&bytes).is_err());
        }
    }
}
