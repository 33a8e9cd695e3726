//! SQLCipher's provider table (`struct sqlcipher_provider` in SQLCipher 4.19's `sqlcipher.h`,
//! as bundled by sqlcipher-src 419.0.6 for libsqlite3-sys 0.39) and the C functions in it.
//!
//! Each function checks what C gives it (null pointers, negative sizes, unknown algorithm
//! numbers), turns it into slices, calls `suite.rs`, and answers `SQLITE_OK` or
//! `SQLITE_ERROR`; the work runs under `catch_unwind`, so a panic becomes `SQLITE_ERROR` and
//! never unwinds into C.

use std::ffi::{c_char, c_int, c_void, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

use zeroize::Zeroizing;

use crate::suite::{self, Digest, Direction, BLOCK_SIZE, KEY_SIZE};

const SQLITE_OK: c_int = 0;
const SQLITE_ERROR: c_int = 1;

/// `SQLCIPHER_ENCRYPT` and `SQLCIPHER_DECRYPT`.
const SQLCIPHER_ENCRYPT: c_int = 1;
const SQLCIPHER_DECRYPT: c_int = 0;

/// The longest key [`kdf`] derives. SQLCipher asks for `get_key_sz()` (32) bytes.
const MAX_DERIVED_KEY: usize = 64;

const NAME: &CStr = c"runsheet-rustcrypto";
const CIPHER_NAME: &CStr = c"aes-256-cbc";
const VERSION: &CStr =
    match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
        Ok(version) => version,
        Err(_) => panic!("the crate version contains a NUL byte"),
    };

/// `struct sqlcipher_provider`, field for field, in SQLCipher's order.
#[repr(C)]
struct SqlcipherProvider {
    init: Option<unsafe extern "C" fn() -> c_int>,
    shutdown: Option<unsafe extern "C" fn()>,
    get_provider_name: Option<unsafe extern "C" fn(ctx: *mut c_void) -> *const c_char>,
    add_random: Option<
        unsafe extern "C" fn(ctx: *mut c_void, buffer: *const c_void, length: c_int) -> c_int,
    >,
    random:
        Option<unsafe extern "C" fn(ctx: *mut c_void, buffer: *mut c_void, length: c_int) -> c_int>,
    hmac: Option<
        unsafe extern "C" fn(
            ctx: *mut c_void,
            algorithm: c_int,
            hmac_key: *const u8,
            key_sz: c_int,
            input: *const u8,
            in_sz: c_int,
            input2: *const u8,
            in2_sz: c_int,
            out: *mut u8,
        ) -> c_int,
    >,
    kdf: Option<
        unsafe extern "C" fn(
            ctx: *mut c_void,
            algorithm: c_int,
            pass: *const u8,
            pass_sz: c_int,
            salt: *const u8,
            salt_sz: c_int,
            workfactor: c_int,
            key_sz: c_int,
            key: *mut u8,
        ) -> c_int,
    >,
    cipher: Option<
        unsafe extern "C" fn(
            ctx: *mut c_void,
            mode: c_int,
            key: *const u8,
            key_sz: c_int,
            iv: *const u8,
            input: *const u8,
            in_sz: c_int,
            out: *mut u8,
        ) -> c_int,
    >,
    get_cipher: Option<unsafe extern "C" fn(ctx: *mut c_void) -> *const c_char>,
    get_key_sz: Option<unsafe extern "C" fn(ctx: *mut c_void) -> c_int>,
    get_iv_sz: Option<unsafe extern "C" fn(ctx: *mut c_void) -> c_int>,
    get_block_sz: Option<unsafe extern "C" fn(ctx: *mut c_void) -> c_int>,
    get_hmac_sz: Option<unsafe extern "C" fn(ctx: *mut c_void, algorithm: c_int) -> c_int>,
    ctx_init: Option<unsafe extern "C" fn(ctx: *mut *mut c_void) -> c_int>,
    ctx_free: Option<unsafe extern "C" fn(ctx: *mut *mut c_void) -> c_int>,
    fips_status: Option<unsafe extern "C" fn(ctx: *mut c_void) -> c_int>,
    get_provider_version: Option<unsafe extern "C" fn(ctx: *mut c_void) -> *const c_char>,
    next: *mut SqlcipherProvider,
}

/// Fills SQLCipher's provider table with this crate's functions. SQLCipher calls it once,
/// on its first initialisation, because it was compiled with
/// `-DSQLCIPHER_CRYPTO_CUSTOM=runsheet_cipher_setup`; nothing else should call it.
///
/// Answers `SQLITE_OK` (0), or `SQLITE_ERROR` (1) for a null pointer.
///
/// # Safety
///
/// `provider` is null or points to writable memory of the size and alignment of SQLCipher
/// 4.19's `struct sqlcipher_provider` (SQLCipher passes the one it has just allocated).
#[no_mangle]
pub unsafe extern "C" fn runsheet_cipher_setup(provider: *mut c_void) -> c_int {
    let provider = provider.cast::<SqlcipherProvider>();
    if provider.is_null() {
        return SQLITE_ERROR;
    }
    // SAFETY: the caller hands a writable, aligned provider struct; `write` does not read the
    // (uninitialised) memory it replaces. `next` is set by sqlcipher_register_provider.
    unsafe {
        provider.write(SqlcipherProvider {
            init: None,
            shutdown: None,
            get_provider_name: Some(get_provider_name),
            add_random: Some(add_random),
            random: Some(random),
            hmac: Some(hmac),
            kdf: Some(kdf),
            cipher: Some(cipher),
            get_cipher: Some(get_cipher),
            get_key_sz: Some(get_key_sz),
            get_iv_sz: Some(get_iv_sz),
            get_block_sz: Some(get_block_sz),
            get_hmac_sz: Some(get_hmac_sz),
            ctx_init: Some(ctx_init),
            ctx_free: Some(ctx_free),
            fips_status: Some(fips_status),
            get_provider_version: Some(get_provider_version),
            next: ptr::null_mut(),
        });
    }
    SQLITE_OK
}

/// Runs `work`, answering `SQLITE_OK`, or `SQLITE_ERROR` if it refused or panicked.
fn guarded(work: impl FnOnce() -> Result<(), suite::Refusal>) -> c_int {
    match catch_unwind(AssertUnwindSafe(work)) {
        Ok(Ok(())) => SQLITE_OK,
        Ok(Err(_)) | Err(_) => SQLITE_ERROR,
    }
}

/// `len` bytes at `data` as a slice: empty for a zero length, `None` for a negative length
/// or a null pointer with a positive length.
///
/// # Safety
///
/// A non-null `data` points to `len` readable bytes that outlive `'a` and are not written
/// meanwhile.
unsafe fn bytes<'a>(data: *const u8, len: c_int) -> Option<&'a [u8]> {
    let len = usize::try_from(len).ok()?;
    if len == 0 {
        return Some(&[]);
    }
    if data.is_null() {
        return None;
    }
    // SAFETY: non-null, `len` readable bytes per the caller.
    Some(unsafe { std::slice::from_raw_parts(data, len) })
}

/// `N` bytes at `data`, copied out (so later writes elsewhere cannot alias them).
///
/// # Safety
///
/// A non-null `data` points to `N` readable bytes.
unsafe fn array<const N: usize>(data: *const u8) -> Option<Zeroizing<[u8; N]>> {
    if data.is_null() {
        return None;
    }
    let mut out = Zeroizing::new([0u8; N]);
    // SAFETY: `N` readable bytes per the caller; `out` is a fresh local.
    unsafe { ptr::copy(data, out.as_mut_ptr(), N) };
    Some(out)
}

unsafe extern "C" fn get_provider_name(_ctx: *mut c_void) -> *const c_char {
    NAME.as_ptr()
}

unsafe extern "C" fn get_provider_version(_ctx: *mut c_void) -> *const c_char {
    VERSION.as_ptr()
}

unsafe extern "C" fn get_cipher(_ctx: *mut c_void) -> *const c_char {
    CIPHER_NAME.as_ptr()
}

/// Extra entropy from `PRAGMA cipher_add_random`: the operating system's generator needs
/// none, so it is accepted and not used (as SQLCipher's CommonCrypto provider does).
unsafe extern "C" fn add_random(
    _ctx: *mut c_void,
    _buffer: *const c_void,
    _length: c_int,
) -> c_int {
    SQLITE_OK
}

unsafe extern "C" fn random(_ctx: *mut c_void, buffer: *mut c_void, length: c_int) -> c_int {
    guarded(|| {
        let len = usize::try_from(length).map_err(|_| suite::Refusal::BadLength)?;
        if len == 0 {
            return Ok(());
        }
        if buffer.is_null() {
            return Err(suite::Refusal::BadLength);
        }
        // SAFETY: SQLCipher passes a writable buffer of `length` bytes.
        let out = unsafe { std::slice::from_raw_parts_mut(buffer.cast::<u8>(), len) };
        suite::random(out)
    })
}

#[allow(clippy::too_many_arguments)] // SQLCipher's signature
unsafe extern "C" fn hmac(
    _ctx: *mut c_void,
    algorithm: c_int,
    hmac_key: *const u8,
    key_sz: c_int,
    input: *const u8,
    in_sz: c_int,
    input2: *const u8,
    in2_sz: c_int,
    out: *mut u8,
) -> c_int {
    guarded(|| {
        let digest = Digest::from_sqlcipher(algorithm).ok_or(suite::Refusal::BadLength)?;
        if input.is_null() || out.is_null() {
            return Err(suite::Refusal::BadLength);
        }
        let tag = {
            // SAFETY: SQLCipher passes readable buffers of the sizes it gives; the slices live
            // only for this block, before `out` is written.
            let key = unsafe { bytes(hmac_key, key_sz) }.ok_or(suite::Refusal::BadLength)?;
            let first = unsafe { bytes(input, in_sz) }.ok_or(suite::Refusal::BadLength)?;
            let second = if input2.is_null() {
                &[][..]
            } else {
                unsafe { bytes(input2, in2_sz) }.ok_or(suite::Refusal::BadLength)?
            };
            suite::hmac(digest, key, &[first, second])
        };
        // SAFETY: `out` holds get_hmac_sz(algorithm) bytes (SQLCipher sizes it so); `copy`
        // allows it to overlap the inputs.
        unsafe { ptr::copy(tag.as_ptr(), out, digest.tag_size()) };
        Ok(())
    })
}

#[allow(clippy::too_many_arguments)] // SQLCipher's signature
unsafe extern "C" fn kdf(
    _ctx: *mut c_void,
    algorithm: c_int,
    pass: *const u8,
    pass_sz: c_int,
    salt: *const u8,
    salt_sz: c_int,
    workfactor: c_int,
    key_sz: c_int,
    key: *mut u8,
) -> c_int {
    guarded(|| {
        let digest = Digest::from_sqlcipher(algorithm).ok_or(suite::Refusal::BadLength)?;
        let rounds = u32::try_from(workfactor).map_err(|_| suite::Refusal::BadLength)?;
        let key_len = usize::try_from(key_sz).map_err(|_| suite::Refusal::BadLength)?;
        if key_len > MAX_DERIVED_KEY || key.is_null() {
            return Err(suite::Refusal::BadLength);
        }
        let mut derived = Zeroizing::new([0u8; MAX_DERIVED_KEY]);
        {
            // SAFETY: readable buffers of the given sizes, only read in this block.
            let pass = unsafe { bytes(pass, pass_sz) }.ok_or(suite::Refusal::BadLength)?;
            let salt = unsafe { bytes(salt, salt_sz) }.ok_or(suite::Refusal::BadLength)?;
            suite::pbkdf2(digest, pass, salt, rounds, &mut derived[..key_len])?;
        }
        // SAFETY: `key` holds `key_sz` writable bytes.
        unsafe { ptr::copy(derived.as_ptr(), key, key_len) };
        Ok(())
    })
}

#[allow(clippy::too_many_arguments)] // SQLCipher's signature
unsafe extern "C" fn cipher(
    _ctx: *mut c_void,
    mode: c_int,
    key: *const u8,
    key_sz: c_int,
    iv: *const u8,
    input: *const u8,
    in_sz: c_int,
    out: *mut u8,
) -> c_int {
    guarded(|| {
        let direction = match mode {
            SQLCIPHER_ENCRYPT => Direction::Encrypt,
            SQLCIPHER_DECRYPT => Direction::Decrypt,
            _ => return Err(suite::Refusal::BadLength),
        };
        if usize::try_from(key_sz) != Ok(KEY_SIZE) {
            return Err(suite::Refusal::BadLength);
        }
        // Key and IV are copied first: SQLCipher keeps the IV in the same page buffer as the
        // output (right after it).
        // SAFETY: a 32-byte key and a 16-byte IV, as get_key_sz and get_iv_sz say.
        let key = unsafe { array::<KEY_SIZE>(key) }.ok_or(suite::Refusal::BadLength)?;
        let iv = unsafe { array::<BLOCK_SIZE>(iv) }.ok_or(suite::Refusal::BadLength)?;
        let len = usize::try_from(in_sz).map_err(|_| suite::Refusal::BadLength)?;
        if !suite::whole_blocks(len) {
            return Err(suite::Refusal::BadLength);
        }
        if len == 0 {
            return Ok(());
        }
        if input.is_null() || out.is_null() {
            return Err(suite::Refusal::BadLength);
        }
        // SAFETY: `input` holds `in_sz` readable and `out` `in_sz` writable bytes; `copy` is a
        // memmove, so the two may overlap. From here on only `out` is used.
        let data = unsafe {
            ptr::copy(input, out, len);
            std::slice::from_raw_parts_mut(out, len)
        };
        suite::aes_256_cbc(direction, &key, &iv, data)
    })
}

unsafe extern "C" fn get_key_sz(_ctx: *mut c_void) -> c_int {
    KEY_SIZE as c_int
}

unsafe extern "C" fn get_iv_sz(_ctx: *mut c_void) -> c_int {
    BLOCK_SIZE as c_int
}

unsafe extern "C" fn get_block_sz(_ctx: *mut c_void) -> c_int {
    BLOCK_SIZE as c_int
}

unsafe extern "C" fn get_hmac_sz(_ctx: *mut c_void, algorithm: c_int) -> c_int {
    Digest::from_sqlcipher(algorithm).map_or(0, |digest| digest.tag_size() as c_int)
}

/// No per-connection state: every call is self-contained.
unsafe extern "C" fn ctx_init(_ctx: *mut *mut c_void) -> c_int {
    SQLITE_OK
}

unsafe extern "C" fn ctx_free(_ctx: *mut *mut c_void) -> c_int {
    SQLITE_OK
}

/// Not a FIPS-validated module.
unsafe extern "C" fn fips_status(_ctx: *mut c_void) -> c_int {
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> SqlcipherProvider {
        let mut slot = std::mem::MaybeUninit::<SqlcipherProvider>::uninit();
        let rc = unsafe { runsheet_cipher_setup(slot.as_mut_ptr().cast()) };
        assert_eq!(rc, SQLITE_OK);
        unsafe { slot.assume_init() }
    }

    #[test]
    fn setup_refuses_a_null_table() {
        assert_eq!(
            unsafe { runsheet_cipher_setup(ptr::null_mut()) },
            SQLITE_ERROR
        );
    }

    #[test]
    fn names_match_the_public_constants() {
        let p = table();
        let name = unsafe { CStr::from_ptr(p.get_provider_name.unwrap()(ptr::null_mut())) };
        assert_eq!(name.to_str().unwrap(), crate::PROVIDER_NAME);
        let version = unsafe { CStr::from_ptr(p.get_provider_version.unwrap()(ptr::null_mut())) };
        assert_eq!(version.to_str().unwrap(), crate::PROVIDER_VERSION);
    }

    #[test]
    fn sizes_are_aes_256_cbc_and_the_hmac_digests() {
        let p = table();
        let ctx = ptr::null_mut();
        unsafe {
            assert_eq!(p.get_key_sz.unwrap()(ctx), 32);
            assert_eq!(p.get_iv_sz.unwrap()(ctx), 16);
            assert_eq!(p.get_block_sz.unwrap()(ctx), 16);
            assert_eq!(p.get_hmac_sz.unwrap()(ctx, 0), 20);
            assert_eq!(p.get_hmac_sz.unwrap()(ctx, 1), 32);
            assert_eq!(p.get_hmac_sz.unwrap()(ctx, 2), 64);
            assert_eq!(p.get_hmac_sz.unwrap()(ctx, 7), 0);
        }
    }

    #[test]
    fn cipher_round_trips_and_refuses_bad_input() {
        let p = table();
        let cipher = p.cipher.unwrap();
        let key = [7u8; 32];
        let iv = [9u8; 16];
        let plain = [42u8; 64];
        let mut sealed = [0u8; 64];
        let mut opened = [0u8; 64];
        let ctx = ptr::null_mut();
        unsafe {
            let rc = cipher(
                ctx,
                1,
                key.as_ptr(),
                32,
                iv.as_ptr(),
                plain.as_ptr(),
                64,
                sealed.as_mut_ptr(),
            );
            assert_eq!(rc, SQLITE_OK);
            assert_ne!(sealed, plain);
            let rc = cipher(
                ctx,
                0,
                key.as_ptr(),
                32,
                iv.as_ptr(),
                sealed.as_ptr(),
                64,
                opened.as_mut_ptr(),
            );
            assert_eq!(rc, SQLITE_OK);
            assert_eq!(opened, plain);
            // In place, as the memmove allows.
            let mut buf = plain;
            let rc = cipher(
                ctx,
                1,
                key.as_ptr(),
                32,
                iv.as_ptr(),
                buf.as_ptr(),
                64,
                buf.as_mut_ptr(),
            );
            assert_eq!(rc, SQLITE_OK);
            assert_eq!(buf, sealed);

            let mut out = [0u8; 64];
            // A 16-byte key, a partial block, a negative size, an unknown mode, null pointers.
            assert_eq!(
                cipher(
                    ctx,
                    1,
                    key.as_ptr(),
                    16,
                    iv.as_ptr(),
                    plain.as_ptr(),
                    64,
                    out.as_mut_ptr()
                ),
                SQLITE_ERROR
            );
            assert_eq!(
                cipher(
                    ctx,
                    1,
                    key.as_ptr(),
                    32,
                    iv.as_ptr(),
                    plain.as_ptr(),
                    63,
                    out.as_mut_ptr()
                ),
                SQLITE_ERROR
            );
            assert_eq!(
                cipher(
                    ctx,
                    1,
                    key.as_ptr(),
                    32,
                    iv.as_ptr(),
                    plain.as_ptr(),
                    -16,
                    out.as_mut_ptr()
                ),
                SQLITE_ERROR
            );
            assert_eq!(
                cipher(
                    ctx,
                    2,
                    key.as_ptr(),
                    32,
                    iv.as_ptr(),
                    plain.as_ptr(),
                    64,
                    out.as_mut_ptr()
                ),
                SQLITE_ERROR
            );
            assert_eq!(
                cipher(
                    ctx,
                    1,
                    ptr::null(),
                    32,
                    iv.as_ptr(),
                    plain.as_ptr(),
                    64,
                    out.as_mut_ptr()
                ),
                SQLITE_ERROR
            );
            assert_eq!(
                cipher(
                    ctx,
                    1,
                    key.as_ptr(),
                    32,
                    ptr::null(),
                    plain.as_ptr(),
                    64,
                    out.as_mut_ptr()
                ),
                SQLITE_ERROR
            );
            assert_eq!(
                cipher(
                    ctx,
                    1,
                    key.as_ptr(),
                    32,
                    iv.as_ptr(),
                    ptr::null(),
                    64,
                    out.as_mut_ptr()
                ),
                SQLITE_ERROR
            );
        }
    }

    #[test]
    fn hmac_covers_both_inputs_and_refuses_bad_input() {
        let p = table();
        let hmac = p.hmac.unwrap();
        let ctx = ptr::null_mut();
        let key = [1u8; 32];
        let page = [5u8; 100];
        let mut one = [0u8; 64];
        let mut two = [0u8; 64];
        unsafe {
            let pgno1 = 1u32.to_le_bytes();
            let pgno2 = 2u32.to_le_bytes();
            assert_eq!(
                hmac(
                    ctx,
                    2,
                    key.as_ptr(),
                    32,
                    page.as_ptr(),
                    100,
                    pgno1.as_ptr(),
                    4,
                    one.as_mut_ptr()
                ),
                SQLITE_OK
            );
            assert_eq!(
                hmac(
                    ctx,
                    2,
                    key.as_ptr(),
                    32,
                    page.as_ptr(),
                    100,
                    pgno2.as_ptr(),
                    4,
                    two.as_mut_ptr()
                ),
                SQLITE_OK
            );
            assert_ne!(one, two, "the page number is under the tag");
            let expected = suite::hmac(Digest::Sha512, &key, &[&page, &pgno1]);
            assert_eq!(one, expected);

            let mut out = [0u8; 64];
            assert_eq!(
                hmac(
                    ctx,
                    3,
                    key.as_ptr(),
                    32,
                    page.as_ptr(),
                    100,
                    ptr::null(),
                    0,
                    out.as_mut_ptr()
                ),
                SQLITE_ERROR
            );
            assert_eq!(
                hmac(
                    ctx,
                    1,
                    key.as_ptr(),
                    32,
                    ptr::null(),
                    100,
                    ptr::null(),
                    0,
                    out.as_mut_ptr()
                ),
                SQLITE_ERROR
            );
            assert_eq!(
                hmac(
                    ctx,
                    1,
                    key.as_ptr(),
                    -1,
                    page.as_ptr(),
                    100,
                    ptr::null(),
                    0,
                    out.as_mut_ptr()
                ),
                SQLITE_ERROR
            );
            assert_eq!(
                hmac(
                    ctx,
                    1,
                    key.as_ptr(),
                    32,
                    page.as_ptr(),
                    100,
                    ptr::null(),
                    0,
                    ptr::null_mut()
                ),
                SQLITE_ERROR
            );
            // SHA-1 writes 20 bytes and no more.
            let mut sha1 = [0xAAu8; 64];
            assert_eq!(
                hmac(
                    ctx,
                    0,
                    key.as_ptr(),
                    32,
                    page.as_ptr(),
                    100,
                    ptr::null(),
                    0,
                    sha1.as_mut_ptr()
                ),
                SQLITE_OK
            );
            assert!(sha1[20..].iter().all(|&b| b == 0xAA));
        }
    }

    #[test]
    fn kdf_and_random_refuse_bad_input() {
        let p = table();
        let (kdf, random) = (p.kdf.unwrap(), p.random.unwrap());
        let ctx = ptr::null_mut();
        let mut key = [0u8; 32];
        unsafe {
            let rc = kdf(
                ctx,
                2,
                b"pass".as_ptr(),
                4,
                b"salt".as_ptr(),
                4,
                2,
                32,
                key.as_mut_ptr(),
            );
            assert_eq!(rc, SQLITE_OK);
            let mut expected = [0u8; 32];
            suite::pbkdf2(Digest::Sha512, b"pass", b"salt", 2, &mut expected).unwrap();
            assert_eq!(key, expected);

            assert_eq!(
                kdf(
                    ctx,
                    2,
                    b"pass".as_ptr(),
                    4,
                    b"salt".as_ptr(),
                    4,
                    0,
                    32,
                    key.as_mut_ptr()
                ),
                SQLITE_ERROR
            );
            assert_eq!(
                kdf(
                    ctx,
                    2,
                    b"pass".as_ptr(),
                    4,
                    b"salt".as_ptr(),
                    4,
                    -5,
                    32,
                    key.as_mut_ptr()
                ),
                SQLITE_ERROR
            );
            assert_eq!(
                kdf(
                    ctx,
                    9,
                    b"pass".as_ptr(),
                    4,
                    b"salt".as_ptr(),
                    4,
                    2,
                    32,
                    key.as_mut_ptr()
                ),
                SQLITE_ERROR
            );
            assert_eq!(
                kdf(
                    ctx,
                    2,
                    ptr::null(),
                    4,
                    b"salt".as_ptr(),
                    4,
                    2,
                    32,
                    key.as_mut_ptr()
                ),
                SQLITE_ERROR
            );
            assert_eq!(
                kdf(
                    ctx,
                    2,
                    b"pass".as_ptr(),
                    4,
                    b"salt".as_ptr(),
                    4,
                    2,
                    65,
                    key.as_mut_ptr()
                ),
                SQLITE_ERROR
            );

            let mut buf = [0u8; 16];
            assert_eq!(random(ctx, buf.as_mut_ptr().cast(), 16), SQLITE_OK);
            assert_ne!(buf, [0u8; 16]);
            assert_eq!(random(ctx, buf.as_mut_ptr().cast(), -1), SQLITE_ERROR);
            assert_eq!(random(ctx, ptr::null_mut(), 16), SQLITE_ERROR);
            assert_eq!(random(ctx, ptr::null_mut(), 0), SQLITE_OK);
        }
    }
}
