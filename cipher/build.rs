//! libsqlite3-sys 0.39 asks the linker for libcrypto (`cargo:rustc-link-lib=dylib=crypto`)
//! whenever it builds SQLCipher for a target outside Apple, whichever provider SQLCipher was
//! compiled with. SQLCipher over this crate's provider references no libcrypto symbol, and an
//! Android NDK has no libcrypto to find. So this script puts an empty archive named
//! `libcrypto.a` on the link search path of every crate that depends on this one: `-lcrypto`
//! resolves to it and adds nothing. It also means that a reference to an OpenSSL symbol left
//! anywhere in a binary that links this crate fails the link here, on the build machine, instead
//! of needing a libcrypto at run time.

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let Some(out_dir) = std::env::var_os("OUT_DIR") else {
        println!("cargo:warning=OUT_DIR is not set; no libcrypto placeholder");
        return;
    };
    let dir = PathBuf::from(out_dir).join("libcrypto-placeholder");
    // An archive with no members: the `ar` magic alone.
    let written = std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(dir.join("libcrypto.a"), b"!<arch>\n"));
    if let Err(e) = written {
        println!("cargo:warning=cannot write the libcrypto placeholder: {e}");
        return;
    }
    println!("cargo:rustc-link-search=native={}", dir.display());
}
