//! SQLCipher's crypto provider, written in Rust, so the phone's encrypted store carries no
//! OpenSSL.
//!
//! SQLCipher asks a *provider* (a table of C function pointers, `struct sqlcipher_provider`)
//! for the little cryptography it needs: AES-256-CBC without padding for each page,
//! HMAC-SHA1/256/512 over each page, PBKDF2-HMAC to turn a passphrase into the key, and random
//! bytes for salts and IVs. Its stock providers call OpenSSL, CommonCrypto or LibTomCrypt. This
//! crate fills the table with RustCrypto's `aes`, `cbc`, `hmac`, `sha1`, `sha2` and `pbkdf2`,
//! and the operating system's CSPRNG through `getrandom`. A static OpenSSL 3 cost the Android
//! library 4.5 MB (docs/mobile-build.md); these crates cost a few tens of kilobytes.
//!
//! # How SQLCipher finds it
//!
//! SQLCipher (the amalgamation libsqlite3-sys compiles for rusqlite's `bundled-sqlcipher`) is
//! compiled with `-DSQLCIPHER_CRYPTO_CUSTOM=runsheet_cipher_setup` (the workspace's
//! `.cargo/config.toml` passes it through libsqlite3-sys's `LIBSQLITE3_FLAGS`). On its first
//! initialisation SQLCipher allocates a provider and calls [`runsheet_cipher_setup`] to fill
//! it. Any binary that links SQLCipher compiled that way must link this crate; a crate that
//! only needs the symbol writes `use runsheet_cipher as _;`. Whether the provider in use is
//! this one is visible as `PRAGMA cipher_provider` (= [`PROVIDER_NAME`]).
//!
//! The file format is SQLCipher 4's, unchanged: a database written over OpenSSL opens here and
//! the other way round (`tests/compatibility.rs` opens a file written by the OpenSSL provider).
//!
//! # The boundary
//!
//! The only public items are [`runsheet_cipher_setup`] (called by C) and the constants that
//! name the provider. Every function in the table is total: it checks its pointers and sizes,
//! returns `SQLITE_ERROR` (1) for anything it cannot do, and runs its work under
//! [`std::panic::catch_unwind`], so no panic unwinds into C.

#![deny(missing_docs)]

mod provider;
mod suite;

pub use provider::runsheet_cipher_setup;

/// The provider's name, as `PRAGMA cipher_provider` reports it.
pub const PROVIDER_NAME: &str = "runsheet-rustcrypto";

/// The provider's version, as `PRAGMA cipher_provider_version` reports it: this crate's.
pub const PROVIDER_VERSION: &str = env!("CARGO_PKG_VERSION");
