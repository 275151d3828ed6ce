//! Video facts from the container: an ISO-BMFF (MP4/MOV) reader for the `moov` box, and a tiny
//! writer of valid MP4 files for tests, demos and benchmarks.
//!
//! The reader never trusts a size field: every box is bounds-checked, nesting is limited, and
//! `moov` is read whole only up to a cap, so hostile input gives an error, not a panic.

use std::io::{Read, Seek, SeekFrom};

#[derive(Debug, Clone, PartialEq)]
pub struct VideoFacts {
    pub duration_s: f64,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub codec: Option<String>,
}

const MAX_MOOV: u64 = 64 * 1024 * 1024;
const TOP_LEVEL: &[&[u8; 4]] = &[
    b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"pdin", b"styp", b"uuid", b"meta",
    b"moof", b"mfra", b"sidx",
];

/// Reads the facts of an MP4/MOV stream, or says why it is not one.
pub fn probe<R: Read + Seek>(r: &mut R) -> Result<VideoFacts, String> {
    let len = r.seek(SeekFrom::End(0)).map_err(|e| e.to_string())?;
    let mut pos = 0u64;
    let mut first = true;
    while pos + 8 <= len {
        r.seek(SeekFrom::Start(pos)).map_err(|e| e.to_string())?;
        let mut head = [0u8; 16];
        r.read_exact(&mut head[..8]).map_err(|e| e.to_string())?;
        let kind: [u8; 4] = [head[4], head[5], head[6], head[7]];
        let size32 = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as u64;
        let (size, header) = match size32 {
            0 => (len - pos, 8),
            1 => {
                r.read_exact(&mut head[8..16]).map_err(|e| e.to_string())?;
                let mut b = [0u8; 8];
                b.copy_from_slice(&head[8..16]);
                (u64::from_be_bytes(b), 16)
            }
            n => (n, 8),
        };
        if first && !TOP_LEVEL.contains(&&kind) {
            return Err("not an MP4/MOV file: it does not start with an ISO-BMFF box".into());
        }
        first = false;
        if size < header || pos.saturating_add(size) > len {
            return Err(format!(
                "broken MP4: box '{}' runs past the end of the file",
                fourcc(&kind)
            ));
        }
        if &kind == b"moov" {
            let body = size - header;
            if body > MAX_MOOV {
                return Err("moov box too large".into());
            }
            let mut buf = vec![0u8; body as usize];
            r.read_exact(&mut buf).map_err(|e| e.to_string())?;
            return parse_moov(&buf);
        }
        pos += size;
    }
    if first {
        Err("not an MP4/MOV file: empty or too short".into())
    } else {
        Err("not a playable MP4/MOV file: no moov box".into())
    }
}

fn fourcc(k: &[u8]) -> String {
    k.iter()
        .map(|b| {
            if b.is_ascii_graphic() {
                *b as char
            } else {
                '?'
            }
        })
        .collect()
}

/// Iterates the child boxes of a box body: `(type, body)`.
fn boxes(mut data: &[u8]) -> impl Iterator<Item = ([u8; 4], &[u8])> {
    std::iter::from_fn(move || {
        if data.len() < 8 {
            return None;
        }
        let size32 = be32(data, 0)? as usize;
        let kind = [data[4], data[5], data[6], data[7]];
        let (size, header) = match size32 {
            0 => (data.len(), 8),
            1 => (usize::try_from(be64(data, 8)?).ok()?, 16),
            n => (n, 8),
        };
        if size < header || size > data.len() {
            return None;
        }
        let body = &data[header..size];
        data = &data[size..];
        Some((kind, body))
    })
}

fn be32(d: &[u8], at: usize) -> Option<u32> {
    d.get(at..at + 4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

fn be64(d: &[u8], at: usize) -> Option<u64> {
    let b = d.get(at..at + 8)?;
    let mut a = [0u8; 8];
    a.copy_from_slice(b);
    Some(u64::from_be_bytes(a))
}

fn child<'a>(data: &'a [u8], kind: &[u8; 4]) -> Option<&'a [u8]> {
    boxes(data).find(|(k, _)| k == kind).map(|(_, b)| b)
}

fn parse_moov(moov: &[u8]) -> Result<VideoFacts, String> {
    let mvhd = child(moov, b"mvhd").ok_or("broken MP4: moov has no mvhd")?;
    let version = *mvhd.first().ok_or("broken MP4: empty mvhd")?;
    let (timescale, duration) = if version == 1 {
        (be32(mvhd, 20), be64(mvhd, 24))
    } else {
        (be32(mvhd, 12), be32(mvhd, 16).map(u64::from))
    };
    let (timescale, duration) = match (timescale, duration) {
        (Some(t), Some(d)) if t > 0 => (t, d),
        _ => return Err("broken MP4: mvhd has no timescale".into()),
    };
    let mut facts = VideoFacts {
        duration_s: duration as f64 / f64::from(timescale),
        width: None,
        height: None,
        codec: None,
    };
    // The first video track gives the frame size and codec.
    for (_, trak) in boxes(moov).filter(|(k, _)| k == b"trak") {
        let Some(mdia) = child(trak, b"mdia") else {
            continue;
        };
        let is_video = child(mdia, b"hdlr").and_then(|h| h.get(8..12)) == Some(b"vide");
        if !is_video {
            continue;
        }
        if let Some(tkhd) = child(trak, b"tkhd") {
            let at = if tkhd.first() == Some(&1) { 88 } else { 76 };
            facts.width = be32(tkhd, at).map(|w| w >> 16).filter(|w| *w > 0);
            facts.height = be32(tkhd, at + 4).map(|h| h >> 16).filter(|h| *h > 0);
        }
        let stsd = child(mdia, b"minf")
            .and_then(|m| child(m, b"stbl"))
            .and_then(|s| child(s, b"stsd"));
        facts.codec = stsd.and_then(|s| s.get(12..16)).map(codec_name);
        break;
    }
    Ok(facts)
}

fn codec_name(k: &[u8]) -> String {
    match k {
        b"avc1" | b"avc3" => "h264".into(),
        b"hvc1" | b"hev1" => "hevc".into(),
        b"av01" => "av1".into(),
        b"vp09" => "vp9".into(),
        b"mp4v" => "mpeg4".into(),
        other => fourcc(other),
    }
}

/// Writes a small valid MP4 (one H.264 video track, no real frames) with the given duration and
/// frame size, followed by `payload` bytes of `mdat` so tests can make files of any size.
pub fn synth(duration_s: f64, width: u16, height: u16, payload: usize) -> Vec<u8> {
    fn bx(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut v = Vec::with_capacity(body.len() + 8);
        v.extend_from_slice(&((body.len() + 8) as u32).to_be_bytes());
        v.extend_from_slice(kind);
        v.extend_from_slice(body);
        v
    }
    let ts: u32 = 1000;
    let dur = (duration_s * f64::from(ts)).round() as u32;
    let matrix: [u32; 9] = [0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x4000_0000];
    let mut mvhd = vec![0u8; 4 + 8];
    mvhd.extend_from_slice(&ts.to_be_bytes());
    mvhd.extend_from_slice(&dur.to_be_bytes());
    mvhd.extend_from_slice(&0x10000u32.to_be_bytes()); // rate
    mvhd.extend_from_slice(&0x0100u16.to_be_bytes()); // volume
    mvhd.extend_from_slice(&[0u8; 10]);
    matrix
        .iter()
        .for_each(|m| mvhd.extend_from_slice(&m.to_be_bytes()));
    mvhd.extend_from_slice(&[0u8; 24]);
    mvhd.extend_from_slice(&2u32.to_be_bytes()); // next track id
    let mut tkhd = vec![0, 0, 0, 3];
    tkhd.extend_from_slice(&[0u8; 8]);
    tkhd.extend_from_slice(&1u32.to_be_bytes());
    tkhd.extend_from_slice(&[0u8; 4]);
    tkhd.extend_from_slice(&dur.to_be_bytes());
    tkhd.extend_from_slice(&[0u8; 16]);
    matrix
        .iter()
        .for_each(|m| tkhd.extend_from_slice(&m.to_be_bytes()));
    tkhd.extend_from_slice(&(u32::from(width) << 16).to_be_bytes());
    tkhd.extend_from_slice(&(u32::from(height) << 16).to_be_bytes());
    let mut mdhd = vec![0u8; 4 + 8];
    mdhd.extend_from_slice(&ts.to_be_bytes());
    mdhd.extend_from_slice(&dur.to_be_bytes());
    mdhd.extend_from_slice(&[0x55, 0xc4, 0, 0]);
    let mut hdlr = vec![0u8; 8];
    hdlr.extend_from_slice(b"vide");
    hdlr.extend_from_slice(&[0u8; 12]);
    hdlr.extend_from_slice(b"VideoHandler\0");
    let mut avc1 = vec![0u8; 6];
    avc1.extend_from_slice(&1u16.to_be_bytes());
    avc1.extend_from_slice(&[0u8; 16]);
    avc1.extend_from_slice(&width.to_be_bytes());
    avc1.extend_from_slice(&height.to_be_bytes());
    avc1.extend_from_slice(&[0, 0x48, 0, 0, 0, 0x48, 0, 0, 0, 0, 0, 0, 0, 1]);
    avc1.extend_from_slice(&[0u8; 32]);
    avc1.extend_from_slice(&[0, 0x18, 0xff, 0xff]);
    let mut stsd = vec![0, 0, 0, 0, 0, 0, 0, 1];
    stsd.extend_from_slice(&bx(b"avc1", &avc1));
    let empty_table = [0u8; 8];
    let stbl = [
        bx(b"stsd", &stsd),
        bx(b"stts", &empty_table),
        bx(b"stsc", &empty_table),
        bx(b"stsz", &[0u8; 12]),
        bx(b"stco", &empty_table),
    ]
    .concat();
    let dinf = bx(
        b"dinf",
        &bx(
            b"dref",
            &[&[0u8, 0, 0, 0, 0, 0, 0, 1][..], &bx(b"url ", &[0, 0, 0, 1])].concat(),
        ),
    );
    let minf = bx(
        b"minf",
        &[
            bx(b"vmhd", &[0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]),
            dinf,
            bx(b"stbl", &stbl),
        ]
        .concat(),
    );
    let mdia = bx(
        b"mdia",
        &[bx(b"mdhd", &mdhd), bx(b"hdlr", &hdlr), minf].concat(),
    );
    let trak = bx(b"trak", &[bx(b"tkhd", &tkhd), mdia].concat());
    let moov = bx(b"moov", &[bx(b"mvhd", &mvhd), trak].concat());
    let ftyp = bx(b"ftyp", b"isom\0\0\x02\0isomiso2avc1mp41");
    let mdat = bx(b"mdat", &vec![0u8; payload]);
    [ftyp, moov, mdat].concat()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[test]
    fn reads_what_it_writes() {
        let f = probe(&mut Cursor::new(synth(12.5, 1280, 720, 100))).unwrap();
        assert_eq!(
            f,
            VideoFacts {
                duration_s: 12.5,
                width: Some(1280),
                height: Some(720),
                codec: Some("h264".into())
            }
        );
    }

    #[test]
    fn moov_after_mdat() {
        let v = synth(3.0, 64, 48, 10);
        // Move moov behind mdat: ftyp(32) moov(..) mdat(18).
        let ftyp_len = 32;
        let moov_len = u32::from_be_bytes([v[32], v[33], v[34], v[35]]) as usize;
        let moved = [
            &v[..ftyp_len],
            &v[ftyp_len + moov_len..],
            &v[ftyp_len..ftyp_len + moov_len],
        ]
        .concat();
        assert_eq!(probe(&mut Cursor::new(moved)).unwrap().duration_s, 3.0);
    }

    #[test]
    fn rejects_garbage_without_panicking() {
        assert!(probe(&mut Cursor::new(b"hello, this is not a video".to_vec())).is_err());
        assert!(probe(&mut Cursor::new(Vec::new())).is_err());
        let v = synth(1.0, 2, 2, 0);
        for cut in 0..v.len() {
            let _ = probe(&mut Cursor::new(v[..cut].to_vec()));
        }
        // Flip every byte in turn: errors or facts, never a panic.
        for i in 0..v.len() {
            let mut w = v.clone();
            w[i] ^= 0xff;
            let _ = probe(&mut Cursor::new(w));
        }
    }
}
