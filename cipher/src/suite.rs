//! The cipher suite SQLCipher 4 uses, in safe Rust over slices: AES-256-CBC without padding,
//! HMAC and PBKDF2-HMAC over SHA-1, SHA-256 or SHA-512, and random bytes from the operating
//! system. `provider.rs` turns SQLCipher's C calls into these.

use aes::cipher::block_padding::NoPadding;
use aes::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Sha256, Sha512};

/// AES-256's key size in bytes.
pub(crate) const KEY_SIZE: usize = 32;
/// AES's block size in bytes, also CBC's IV size.
pub(crate) const BLOCK_SIZE: usize = 16;
/// The largest HMAC output (SHA-512's).
pub(crate) const MAX_TAG_SIZE: usize = 64;

/// Why a primitive refused: SQLCipher only learns "error", the cause is for tests and logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// A size that does not fit the primitive (key, IV, a length not a multiple of the block).
    BadLength,
    /// The operating system gave no random bytes.
    NoRandomness,
}

/// The digest under HMAC and PBKDF2, numbered as SQLCipher numbers them
/// (`SQLCIPHER_HMAC_SHA1` = `SQLCIPHER_PBKDF2_HMAC_SHA1` = 0, SHA-256 = 1, SHA-512 = 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Digest {
    Sha1,
    Sha256,
    Sha512,
}

impl Digest {
    /// SQLCipher's number for the digest; `None` for a number it does not define.
    pub(crate) fn from_sqlcipher(algorithm: i32) -> Option<Digest> {
        match algorithm {
            0 => Some(Digest::Sha1),
            1 => Some(Digest::Sha256),
            2 => Some(Digest::Sha512),
            _ => None,
        }
    }

    /// The HMAC's output size in bytes.
    pub(crate) fn tag_size(self) -> usize {
        match self {
            Digest::Sha1 => 20,
            Digest::Sha256 => 32,
            Digest::Sha512 => 64,
        }
    }
}

/// Encrypting or decrypting (SQLCipher's `SQLCIPHER_ENCRYPT` = 1, `SQLCIPHER_DECRYPT` = 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    Decrypt,
    Encrypt,
}

/// HMAC under `key` over the concatenation of `parts`, written into the first
/// `digest.tag_size()` bytes of the returned buffer.
pub(crate) fn hmac(digest: Digest, key: &[u8], parts: &[&[u8]]) -> [u8; MAX_TAG_SIZE] {
    fn tag<M: Mac + hmac::digest::KeyInit>(key: &[u8], parts: &[&[u8]]) -> [u8; MAX_TAG_SIZE] {
        // HMAC takes a key of any length (a long one is hashed first), so this cannot fail.
        let mut mac = <M as hmac::digest::KeyInit>::new_from_slice(key)
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of every length"));
        for part in parts {
            mac.update(part);
        }
        let bytes = mac.finalize().into_bytes();
        let mut out = [0u8; MAX_TAG_SIZE];
        out[..bytes.len()].copy_from_slice(&bytes);
        out
    }
    match digest {
        Digest::Sha1 => tag::<Hmac<Sha1>>(key, parts),
        Digest::Sha256 => tag::<Hmac<Sha256>>(key, parts),
        Digest::Sha512 => tag::<Hmac<Sha512>>(key, parts),
    }
}

/// PBKDF2-HMAC with `rounds` iterations, filling `out` (of any length).
pub(crate) fn pbkdf2(
    digest: Digest,
    password: &[u8],
    salt: &[u8],
    rounds: u32,
    out: &mut [u8],
) -> Result<(), Refusal> {
    if rounds == 0 {
        return Err(Refusal::BadLength);
    }
    let derived = match digest {
        Digest::Sha1 => pbkdf2::pbkdf2::<Hmac<Sha1>>(password, salt, rounds, out),
        Digest::Sha256 => pbkdf2::pbkdf2::<Hmac<Sha256>>(password, salt, rounds, out),
        Digest::Sha512 => pbkdf2::pbkdf2::<Hmac<Sha512>>(password, salt, rounds, out),
    };
    derived.map_err(|_| Refusal::BadLength)
}

/// AES-256-CBC without padding, in place over `data` (a whole number of blocks).
pub(crate) fn aes_256_cbc(
    direction: Direction,
    key: &[u8; KEY_SIZE],
    iv: &[u8; BLOCK_SIZE],
    data: &mut [u8],
) -> Result<(), Refusal> {
    if !whole_blocks(data.len()) {
        return Err(Refusal::BadLength);
    }
    let key = key.into();
    let iv = iv.into();
    // The slice-wide calls let the cipher work on several blocks at once where CBC allows it
    // (decryption): 1.5 times faster with AES-NI, 3 times with the software AES of CPUs without
    // AES instructions.
    let len = data.len();
    match direction {
        Direction::Encrypt => cbc::Encryptor::<aes::Aes256>::new(key, iv)
            .encrypt_padded_mut::<NoPadding>(data, len)
            .map(|_| ())
            .map_err(|_| Refusal::BadLength),
        Direction::Decrypt => cbc::Decryptor::<aes::Aes256>::new(key, iv)
            .decrypt_padded_mut::<NoPadding>(data)
            .map(|_| ())
            .map_err(|_| Refusal::BadLength),
    }
}

/// Whether `len` bytes are a whole number of AES blocks (CBC without padding needs it).
pub(crate) fn whole_blocks(len: usize) -> bool {
    len.checked_rem(BLOCK_SIZE) == Some(0)
}

/// Fills `out` from the operating system's CSPRNG.
pub(crate) fn random(out: &mut [u8]) -> Result<(), Refusal> {
    getrandom::getrandom(out).map_err(|_| Refusal::NoRandomness)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    // NIST SP 800-38A, F.2.5 (CBC-AES256.Encrypt), the four blocks.
    const SP800_38A_KEY: &str = "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4";
    const SP800_38A_IV: &str = "000102030405060708090a0b0c0d0e0f";
    const SP800_38A_PLAIN: &str = "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51\
                                   30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";
    const SP800_38A_CIPHER: &str = "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d\
                                    39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b";

    fn key_iv() -> ([u8; KEY_SIZE], [u8; BLOCK_SIZE]) {
        (
            unhex(SP800_38A_KEY).try_into().unwrap(),
            unhex(SP800_38A_IV).try_into().unwrap(),
        )
    }

    #[test]
    fn aes_256_cbc_matches_nist_sp800_38a_both_ways() {
        let (key, iv) = key_iv();
        let mut data = unhex(SP800_38A_PLAIN);
        aes_256_cbc(Direction::Encrypt, &key, &iv, &mut data).unwrap();
        assert_eq!(data, unhex(SP800_38A_CIPHER));
        aes_256_cbc(Direction::Decrypt, &key, &iv, &mut data).unwrap();
        assert_eq!(data, unhex(SP800_38A_PLAIN));
    }

    #[test]
    fn aes_256_cbc_refuses_a_partial_block() {
        let (key, iv) = key_iv();
        let mut data = [0u8; 17];
        assert_eq!(
            aes_256_cbc(Direction::Encrypt, &key, &iv, &mut data),
            Err(Refusal::BadLength)
        );
    }

    // RFC 4231 test case 2 (SHA-256, SHA-512) and RFC 2202 test case 2 (SHA-1): key "Jefe".
    #[test]
    fn hmac_matches_rfc_2202_and_4231() {
        let data: &[u8] = b"what do ya want for nothing?";
        // Split in two, as SQLCipher passes the page and then its number.
        let parts: [&[u8]; 2] = [&data[..10], &data[10..]];
        let cases = [
            (Digest::Sha1, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"),
            (
                Digest::Sha256,
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            ),
            (
                Digest::Sha512,
                "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554\
                 9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
            ),
        ];
        for (digest, expected) in cases {
            let tag = hmac(digest, b"Jefe", &parts);
            assert_eq!(tag[..digest.tag_size()], unhex(expected)[..], "{digest:?}");
        }
    }

    // RFC 6070 test case 2 (PBKDF2-HMAC-SHA1, 2 iterations) and RFC 7914 section 11
    // (PBKDF2-HMAC-SHA256). SHA-512, SQLCipher 4's default, is checked end to end by the
    // fixtures in tests/compatibility.rs, whose passphrase goes through it.
    #[test]
    fn pbkdf2_matches_published_vectors() {
        let mut out = [0u8; 20];
        pbkdf2(Digest::Sha1, b"password", b"salt", 2, &mut out).unwrap();
        assert_eq!(
            out[..],
            unhex("ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957")[..]
        );

        let mut out = [0u8; 64];
        pbkdf2(Digest::Sha256, b"passwd", b"salt", 1, &mut out).unwrap();
        assert_eq!(
            out[..],
            unhex(
                "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc\
                 49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783"
            )[..]
        );
    }

    #[test]
    fn pbkdf2_refuses_zero_rounds() {
        let mut out = [0u8; 32];
        assert_eq!(
            pbkdf2(Digest::Sha512, b"p", b"s", 0, &mut out),
            Err(Refusal::BadLength)
        );
    }

    #[test]
    fn random_fills_the_buffer_differently_each_time() {
        let mut a = [0u8; 32];
        let mut b = [0u8; 32];
        random(&mut a).unwrap();
        random(&mut b).unwrap();
        assert_ne!(a, b);
        assert_ne!(a, [0u8; 32]);
    }

    #[test]
    fn sqlcipher_digest_numbers() {
        assert_eq!(Digest::from_sqlcipher(0), Some(Digest::Sha1));
        assert_eq!(Digest::from_sqlcipher(1), Some(Digest::Sha256));
        assert_eq!(Digest::from_sqlcipher(2), Some(Digest::Sha512));
        assert_eq!(Digest::from_sqlcipher(3), None);
        assert_eq!(Digest::from_sqlcipher(-1), None);
    }
}
