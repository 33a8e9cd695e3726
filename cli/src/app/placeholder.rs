//! The terminal's camera: when the courier has no image file to give, a small grayscale PNG is
//! written in the app's data folder (a real file, so the core hashes and uploads it as it would
//! a photo).

use std::io::Write;
use std::path::{Path, PathBuf};

const SIDE: u32 = 16;

/// Writes a placeholder PNG named `name` in `dir` (created if missing), carrying `note` as its
/// comment, durably; returns its path.
pub fn write_png(dir: &Path, name: &str, note: &str) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(name);
    let mut f = std::fs::File::create(&path)?;
    f.write_all(&png(note))?;
    f.sync_all()?;
    Ok(path)
}

/// A 16×16 grayscale PNG with a diagonal, its tEXt comment `note`.
pub fn png(note: &str) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend(SIDE.to_be_bytes());
    ihdr.extend(SIDE.to_be_bytes());
    ihdr.extend([8, 0, 0, 0, 0]); // 8-bit gray, deflate, no filter, no interlace
    chunk(&mut out, b"IHDR", &ihdr);
    let mut text = b"Comment\0".to_vec();
    text.extend(note.bytes().filter(|b| (0x20..0x7f).contains(b)));
    chunk(&mut out, b"tEXt", &text);
    let mut raw = Vec::new();
    for y in 0..SIDE {
        raw.push(0); // filter: none
        raw.extend((0..SIDE).map(|x| if x == y { 0u8 } else { 0xc0 }));
    }
    chunk(&mut out, b"IDAT", &zlib_stored(&raw));
    chunk(&mut out, b"IEND", &[]);
    out
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend((data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend(kind);
    out.extend(data);
    let crc = crc32(&out[start..]);
    out.extend(crc.to_be_bytes());
}

/// A zlib stream of one stored (uncompressed) block; `data` is under 64 KiB.
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let len = data.len() as u16;
    let mut out = vec![0x78, 0x01, 0x01];
    out.extend(len.to_le_bytes());
    out.extend((!len).to_le_bytes());
    out.extend(data);
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + u32::from(byte)) % 65521;
        b = (b + a) % 65521;
    }
    out.extend(((b << 16) | a).to_be_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
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
    fn the_crc_is_png_s() {
        // The CRC of the IEND chunk every PNG ends with.
        assert_eq!(crc32(b"IEND"), 0xae42_6082);
    }

    #[test]
    fn each_placeholder_is_a_png_of_its_own() {
        let a = png("proof F1 1");
        let b = png("proof F1 2");
        assert!(a.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert!(a.ends_with(&[0xae, 0x42, 0x60, 0x82]));
        assert_ne!(a, b, "two photos hash apart");
    }
}
