//! The phone library's Cargo profile (`[profile.mobile]` in the workspace's Cargo.toml), which
//! the Android Gradle task and the iOS XCFramework script build with `--profile mobile`: checked
//! here so that its settings cannot drift silently. Sizes per setting: docs/mobile-build.md.
//!
//! Also checked: SQLCipher's crypto is the Rust provider (runsheet-cipher), chosen by
//! `LIBSQLITE3_FLAGS` in `.cargo/config.toml`, and no OpenSSL is left in the lock file (a static
//! OpenSSL cost the Android library 4.5 MB).

use toml::Value;

/// Each setting the profile must have, as Cargo reads it.
fn expected() -> Vec<(&'static str, Value)> {
    vec![
        ("inherits", Value::from("release")),
        // Size first; docs/mobile-build.md compares "z" with "s" and the release profile.
        ("opt-level", Value::from("z")),
        ("lto", Value::from("fat")),
        ("codegen-units", Value::from(1)),
        ("strip", Value::from(true)),
        // UniFFI turns a panic into an error at the boundary only when it can unwind.
        ("panic", Value::from("unwind")),
        ("debug", Value::from(false)),
    ]
}

/// The settings of `[profile.mobile]` in `cargo_toml` that differ from [`expected`], as
/// sentences; none when the profile is as documented.
fn drift(cargo_toml: &str) -> Result<Vec<String>, String> {
    let doc: Value = toml::from_str(cargo_toml).map_err(|e| format!("Cargo.toml: {e}"))?;
    let Some(profile) = doc.get("profile").and_then(|p| p.get("mobile")) else {
        return Ok(vec!["there is no [profile.mobile]".into()]);
    };
    Ok(expected()
        .into_iter()
        .filter_map(|(key, want)| match profile.get(key) {
            Some(found) if *found == want => None,
            Some(found) => Some(format!("{key} = {found}, expected {want}")),
            None => Some(format!("{key} is not set, expected {want}")),
        })
        .collect())
}

/// The defines `.cargo/config.toml` must give libsqlite3-sys: runsheet-cipher's provider, and
/// not the CommonCrypto one libsqlite3-sys picks on Apple targets.
const SQLCIPHER_DEFINES: [&str; 2] = [
    "-DSQLCIPHER_CRYPTO_CUSTOM=runsheet_cipher_setup",
    "-USQLCIPHER_CRYPTO_CC",
];

/// Packages that would put OpenSSL back into a build.
const OPENSSL_PACKAGES: [&str; 2] = ["openssl-sys", "openssl-src"];

/// What keeps SQLCipher from running on runsheet-cipher alone, as sentences: a define missing
/// from `LIBSQLITE3_FLAGS` in `config_toml` (`.cargo/config.toml`), an OpenSSL package in
/// `cargo_lock`. None when the build is as documented.
fn crypto_drift(config_toml: &str, cargo_lock: &str) -> Result<Vec<String>, String> {
    let config: Value =
        toml::from_str(config_toml).map_err(|e| format!(".cargo/config.toml: {e}"))?;
    let flags = config
        .get("env")
        .and_then(|env| env.get("LIBSQLITE3_FLAGS"));
    // `[env]` takes a string or a table with `value`.
    let flags = flags
        .and_then(|f| {
            f.as_str()
                .or_else(|| f.get("value").and_then(Value::as_str))
        })
        .unwrap_or("");
    let mut drift: Vec<String> = SQLCIPHER_DEFINES
        .iter()
        .filter(|define| !flags.split_whitespace().any(|f| f == **define))
        .map(|define| format!("LIBSQLITE3_FLAGS in .cargo/config.toml lacks {define}"))
        .collect();
    let lock: Value = toml::from_str(cargo_lock).map_err(|e| format!("Cargo.lock: {e}"))?;
    let packages = lock.get("package").and_then(Value::as_array);
    for package in packages.into_iter().flatten() {
        let name = package.get("name").and_then(Value::as_str).unwrap_or("");
        if OPENSSL_PACKAGES.contains(&name) {
            drift.push(format!(
                "Cargo.lock has {name}: OpenSSL is back in the build"
            ));
        }
    }
    Ok(drift)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workspace_file(path: &str) -> String {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(path);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    #[test]
    fn sqlcipher_runs_on_runsheet_cipher_without_openssl() {
        let drift = crypto_drift(
            &workspace_file(".cargo/config.toml"),
            &workspace_file("Cargo.lock"),
        );
        assert_eq!(drift, Ok(vec![]));
    }

    #[test]
    fn a_missing_define_or_an_openssl_package_is_named() {
        let config = "[env]\nLIBSQLITE3_FLAGS = \"-DSQLCIPHER_CRYPTO_CUSTOM=runsheet_cipher_setup \
                      -USQLCIPHER_CRYPTO_CC\"\n";
        let lock = "version = 4\n[[package]]\nname = \"aes\"\nversion = \"0.8.4\"\n";
        assert_eq!(crypto_drift(config, lock), Ok(vec![]));
        let table = "[env]\nLIBSQLITE3_FLAGS = { value = \"-DSQLCIPHER_CRYPTO_CUSTOM=runsheet_cipher_setup \
                     -USQLCIPHER_CRYPTO_CC\", force = true }\n";
        assert_eq!(crypto_drift(table, lock), Ok(vec![]));
        assert_eq!(
            crypto_drift("[alias]\nx = \"run\"\n", lock),
            Ok(vec![
                "LIBSQLITE3_FLAGS in .cargo/config.toml lacks \
                 -DSQLCIPHER_CRYPTO_CUSTOM=runsheet_cipher_setup"
                    .to_owned(),
                "LIBSQLITE3_FLAGS in .cargo/config.toml lacks -USQLCIPHER_CRYPTO_CC".to_owned(),
            ])
        );
        let openssl = format!("{lock}[[package]]\nname = \"openssl-src\"\nversion = \"300.6.1\"\n");
        assert_eq!(
            crypto_drift(config, &openssl),
            Ok(vec![
                "Cargo.lock has openssl-src: OpenSSL is back in the build".to_owned()
            ])
        );
    }

    #[test]
    fn the_mobile_profile_has_the_documented_settings() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml");
        let text = std::fs::read_to_string(&path).expect("the workspace's Cargo.toml");
        assert_eq!(drift(&text), Ok(vec![]));
        let doc = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/mobile-build.md"),
        )
        .expect("docs/mobile-build.md");
        assert!(
            doc.contains("--profile mobile"),
            "docs/mobile-build.md gives the build command"
        );
    }

    #[test]
    fn a_changed_or_missing_setting_is_named() {
        let ok = "[profile.mobile]\ninherits = \"release\"\nopt-level = \"z\"\nlto = \"fat\"\n\
                  codegen-units = 1\nstrip = true\npanic = \"unwind\"\ndebug = false\n";
        assert_eq!(drift(ok), Ok(vec![]));
        let aborts = ok.replace("\"unwind\"", "\"abort\"");
        assert_eq!(
            drift(&aborts),
            Ok(vec!["panic = \"abort\", expected \"unwind\"".to_owned()])
        );
        let thin = ok.replace("lto = \"fat\"\n", "");
        assert_eq!(
            drift(&thin),
            Ok(vec!["lto is not set, expected \"fat\"".to_owned()])
        );
        assert_eq!(
            drift("[profile.release]\nlto = true\n"),
            Ok(vec!["there is no [profile.mobile]".to_owned()])
        );
        assert!(drift("[profile.mobile").is_err());
    }
}
