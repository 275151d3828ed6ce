//! Thumbnails: a PNG encoder (palette colour, stored deflate blocks: no compression library
//! needed) and the picture itself, a shaded frame with the event's box drawn in red.

pub const WIDTH: usize = 320;
pub const HEIGHT: usize = 180;
const RED: u8 = 16;

/// A thumbnail for one event. `seed` varies the background per video; `bbox` is
/// `[x, y, w, h]` in fractions of the frame.
pub fn thumbnail(seed: u64, bbox: [f64; 4]) -> Vec<u8> {
    let mut px = vec![0u8; WIDTH * HEIGHT];
    let phase = (seed % 16) as usize;
    for y in 0..HEIGHT {
        for x in 0..WIDTH {
            px[y * WIDTH + x] = (((x + y) * 16 / (WIDTH + HEIGHT) + phase) % 16) as u8;
        }
    }
    let clamp = |v: f64| {
        if v.is_finite() {
            v.clamp(0.0, 1.0)
        } else {
            0.0
        }
    };
    let x0 = (clamp(bbox[0]) * (WIDTH - 1) as f64) as usize;
    let y0 = (clamp(bbox[1]) * (HEIGHT - 1) as f64) as usize;
    let x1 = (clamp(bbox[0] + bbox[2]) * (WIDTH - 1) as f64) as usize;
    let y1 = (clamp(bbox[1] + bbox[3]) * (HEIGHT - 1) as f64) as usize;
    for t in 0..3 {
        for x in x0..=x1.max(x0) {
            for y in [y0.saturating_add(t).min(HEIGHT - 1), y1.saturating_sub(t)] {
                px[y * WIDTH + x] = RED;
            }
        }
        for y in y0..=y1.max(y0) {
            for x in [x0.saturating_add(t).min(WIDTH - 1), x1.saturating_sub(t)] {
                px[y * WIDTH + x] = RED;
            }
        }
    }
    let mut palette = Vec::with_capacity(17 * 3);
    for i in 0..16u8 {
        palette.extend_from_slice(&[40 + i * 6, 60 + i * 7, 80 + i * 8]);
    }
    palette.extend_from_slice(&[230, 30, 30]);
    encode_indexed(WIDTH as u32, HEIGHT as u32, &palette, &px)
}

/// Encodes 8-bit palette pixels as a PNG.
pub fn encode_indexed(w: u32, h: u32, palette: &[u8], px: &[u8]) -> Vec<u8> {
    let mut raw = Vec::with_capacity(px.len() + h as usize);
    for row in px.chunks(w as usize) {
        raw.push(0); // filter: none
        raw.extend_from_slice(row);
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 3, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"PLTE", palette);
    chunk(&mut out, b"IDAT", &zlib_stored(&raw));
    chunk(&mut out, b"IEND", &[]);
    out
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut z = vec![0x78, 0x01];
    let mut blocks = data.chunks(65_535).peekable();
    if blocks.peek().is_none() {
        z.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    while let Some(b) = blocks.next() {
        z.push(u8::from(blocks.peek().is_none()));
        let len = b.len() as u16;
        z.extend_from_slice(&len.to_le_bytes());
        z.extend_from_slice(&(!len).to_le_bytes());
        z.extend_from_slice(b);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &x in data {
        a = (a + u32::from(x)) % 65_521;
        b = (b + a) % 65_521;
    }
    z.extend_from_slice(&((b << 16) | a).to_be_bytes());
    z
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_known_value() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
    }

    #[test]
    fn thumbnail_is_a_png_with_a_red_box() {
        let png = thumbnail(7, [0.1, 0.1, 0.5, 0.5]);
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert_eq!(&png[12..16], b"IHDR");
        assert!(png.ends_with(&[0xae, 0x42, 0x60, 0x82])); // IEND's CRC
                                                           // Out-of-range boxes are clamped, not a panic.
        let _ = thumbnail(0, [-1.0, 2.0, f64::NAN, 9.0]);
    }
}
