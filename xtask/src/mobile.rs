//! The phone library's Cargo profile (`[profile.mobile]` in the workspace's Cargo.toml), which
//! the Android Gradle task and the iOS XCFramework script build with `--profile mobile`: checked
//! here so that its settings cannot drift silently. Sizes per setting: docs/mobile-build.md.

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

#[cfg(test)]
mod tests {
    use super::*;

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
