//! The Android checks of `cargo xtask test` (no Android SDK on this machine): what Gradle's
//! lint would catch on a developer's machine, read from the sources.
//!
//! - Strings: every string key of `res/values/strings.xml` exists in every other locale's
//!   `strings.xml` (zh-CN) and the other way round, with the same placeholders (`%1$d`, `%s`).
//! - Permissions: every dangerous permission the manifest declares is requested at run time:
//!   its `Manifest.permission` constant reaches a permission-request launcher (directly in the
//!   `launch(...)` arguments or in the body of a function called there), since Android grants a
//!   dangerous permission only through the prompt.
//! - Foreground services: every foreground-service type the Kotlin code starts with
//!   (`startForeground(..., FOREGROUND_SERVICE_TYPE_LOCATION)`, WorkManager's
//!   `ForegroundInfo(..., FOREGROUND_SERVICE_TYPE_DATA_SYNC)`) is declared on that service in the
//!   manifest (`android:foregroundServiceType="location"`) with its `FOREGROUND_SERVICE_*`
//!   permission; Android 14 throws otherwise.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::Result;

/// The app module, relative to the repository root.
pub const APP: &str = "android/app/src/main";

/// Permissions Android grants only at run time (protection level `dangerous`) that a courier
/// app may declare.
pub const DANGEROUS: &[&str] = &[
    "ACCESS_BACKGROUND_LOCATION",
    "ACCESS_COARSE_LOCATION",
    "ACCESS_FINE_LOCATION",
    "ACTIVITY_RECOGNITION",
    "BLUETOOTH_CONNECT",
    "BLUETOOTH_SCAN",
    "CALL_PHONE",
    "CAMERA",
    "POST_NOTIFICATIONS",
    "READ_CONTACTS",
    "READ_EXTERNAL_STORAGE",
    "READ_MEDIA_IMAGES",
    "READ_PHONE_STATE",
    "RECORD_AUDIO",
    "WRITE_EXTERNAL_STORAGE",
];

/// One problem found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Which check.
    pub check: &'static str,
    /// What is wrong, with the file, key or permission.
    pub what: String,
}

fn finding(check: &'static str, what: String) -> Finding {
    Finding { check, what }
}

// ---- a small reader for the resource and manifest XML ------------------------------------

/// One start tag: its name and attributes, and the text up to its end tag (for `<string>`).
#[derive(Debug, Clone)]
struct Tag {
    name: String,
    attrs: BTreeMap<String, String>,
    text: String,
}

/// The start tags of an XML text, in order (comments and declarations skipped). Enough for
/// Android's resource and manifest files; not a general XML parser.
fn tags(xml: &str) -> Vec<Tag> {
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(i) = rest.find('<') {
        rest = &rest[i..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |j| &after[j + 3..]);
            continue;
        }
        if rest.starts_with("<?") || rest.starts_with("<!") || rest.starts_with("</") {
            rest = rest.find('>').map_or("", |j| &rest[j + 1..]);
            continue;
        }
        let Some(end) = tag_end(rest) else { break };
        let inside = &rest[1..end];
        let self_closing = inside.ends_with('/');
        let inside = inside.trim_end_matches('/');
        let name_len = inside
            .find(|c: char| c.is_whitespace())
            .unwrap_or(inside.len());
        let name = inside[..name_len].to_string();
        let attrs = attributes(&inside[name_len..]);
        rest = &rest[end + 1..];
        let mut text = String::new();
        if !self_closing {
            let close = format!("</{name}>");
            // Only leaf elements' text is used (strings); a container's text is cut at its
            // first child.
            let stop = rest.find('<').unwrap_or(rest.len());
            if rest[stop..].starts_with(&close) {
                text = rest[..stop].to_string();
            }
        }
        out.push(Tag { name, attrs, text });
    }
    out
}

/// The index of the `>` closing the start tag at the beginning of `s` (quotes respected).
fn tag_end(s: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, '>') => return Some(i),
            _ => {}
        }
    }
    None
}

fn attributes(s: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut rest = s;
    while let Some(eq) = rest.find('=') {
        let key = rest[..eq].trim().to_string();
        let after = rest[eq + 1..].trim_start();
        let Some(q) = after.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            break;
        };
        let body = &after[1..];
        let Some(close) = body.find(q) else { break };
        out.insert(key, body[..close].to_string());
        rest = &body[close + 1..];
    }
    out
}

// ---- strings ------------------------------------------------------------------------------

/// The translatable strings of one `strings.xml`: key -> its placeholders, sorted.
pub fn string_keys(xml: &str) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for t in tags(xml) {
        if !matches!(t.name.as_str(), "string" | "plurals" | "string-array") {
            continue;
        }
        if t.attrs.get("translatable").is_some_and(|v| v == "false") {
            continue;
        }
        if let Some(name) = t.attrs.get("name") {
            out.insert(name.clone(), placeholders(&t.text));
        }
    }
    out
}

/// The format placeholders of a string (`%1$d`, `%s`, `%.1f`), sorted; `%%` is a literal.
pub fn placeholders(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '%' {
            i += 1;
            continue;
        }
        if chars.get(i + 1) == Some(&'%') {
            i += 2;
            continue;
        }
        let mut j = i + 1;
        while j < chars.len() && (chars[j].is_ascii_digit() || "$.-+# ,".contains(chars[j])) {
            j += 1;
        }
        if let Some(conv) = chars.get(j).filter(|c| c.is_ascii_alphabetic()) {
            let mut p: String = chars[i..j].iter().collect();
            p.push(*conv);
            out.push(p);
            i = j + 1;
        } else {
            i += 1;
        }
    }
    out.sort();
    out
}

/// Every key of `base` in `other` and the other way round, with equal placeholders.
pub fn compare_locales(
    base_name: &str,
    base: &BTreeMap<String, Vec<String>>,
    other_name: &str,
    other: &BTreeMap<String, Vec<String>>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for (key, ph) in base {
        match other.get(key) {
            None => out.push(finding(
                "strings",
                format!("{key}: in {base_name}, missing from {other_name}"),
            )),
            Some(o) if o != ph => out.push(finding(
                "strings",
                format!("{key}: placeholders {ph:?} in {base_name} but {o:?} in {other_name}"),
            )),
            Some(_) => {}
        }
    }
    for key in other.keys().filter(|k| !base.contains_key(*k)) {
        out.push(finding(
            "strings",
            format!("{key}: in {other_name}, missing from {base_name}"),
        ));
    }
    out
}

// ---- permissions --------------------------------------------------------------------------

/// The `android.permission.*` names the manifest declares (without the prefix).
pub fn declared_permissions(manifest: &str) -> BTreeSet<String> {
    tags(manifest)
        .into_iter()
        .filter(|t| t.name == "uses-permission" || t.name == "uses-permission-sdk-23")
        .filter_map(|t| t.attrs.get("android:name").cloned())
        .filter_map(|n| n.strip_prefix("android.permission.").map(str::to_string))
        .collect()
}

/// The text between the parenthesis opening at `open` and its match.
fn balanced(s: &str, open: usize) -> &str {
    let mut depth = 0usize;
    for (i, c) in s[open..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return &s[open + 1..open + i];
                }
            }
            _ => {}
        }
    }
    &s[open + 1..]
}

fn identifiers_called(s: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let b = s.as_bytes();
    for (i, c) in s.char_indices() {
        if c != '(' {
            continue;
        }
        let mut j = i;
        while j > 0 && (b[j - 1].is_ascii_alphanumeric() || b[j - 1] == b'_') {
            j -= 1;
        }
        if j < i {
            out.insert(s[j..i].to_string());
        }
    }
    out
}

/// The body of `fun name(` in `src` (a block or an expression body): the lines after the
/// declaration up to the first line indented no deeper than it, that line included.
fn function_body<'a>(src: &'a str, name: &str) -> Option<&'a str> {
    let lines: Vec<&str> = src.lines().collect();
    let start = lines.iter().position(|l| {
        let t = l.trim_start();
        t.contains("fun ")
            && (t.contains(&format!(" {name}(")) || t.contains(&format!(".{name}(")))
            && !t.trim_start().starts_with("//")
    })?;
    let indent = |l: &str| l.len() - l.trim_start().len();
    let base = indent(lines[start]);
    let mut end = start + 1;
    while end < lines.len() && (lines[end].trim().is_empty() || indent(lines[end]) > base) {
        end += 1;
    }
    let first = lines[start].as_ptr() as usize - src.as_ptr() as usize;
    let last_line = lines.get(end).copied().unwrap_or("");
    let last = last_line.as_ptr() as usize - src.as_ptr() as usize + last_line.len();
    src.get(first..last.min(src.len()))
}

/// The `Manifest.permission` constants that reach a permission request in `sources`: the
/// arguments of `launch(...)` on a launcher registered with `RequestMultiplePermissions` or
/// `RequestPermission`, or of `requestPermissions(...)`, and the bodies of the functions
/// called there.
pub fn requested_permissions(sources: &[String]) -> BTreeSet<String> {
    let all = sources.join("\n");
    let mut launchers = Vec::new();
    for src in sources {
        for line in src.lines() {
            let l = line.trim();
            if !(l.contains("RequestMultiplePermissions()") || l.contains("RequestPermission()")) {
                continue;
            }
            if let Some(name) = l
                .split_once(" val ")
                .map(|(_, r)| r)
                .or_else(|| l.strip_prefix("val "))
                .and_then(|r| r.split([' ', '=', ':']).next())
            {
                launchers.push(format!("{name}.launch("));
            }
        }
    }
    launchers.push("requestPermissions(".to_string());
    let mut args = Vec::new();
    for needle in &launchers {
        let mut from = 0;
        while let Some(i) = all[from..].find(needle.as_str()) {
            let open = from + i + needle.len() - 1;
            args.push(balanced(&all, open).to_string());
            from = open + 1;
        }
    }
    let mut reached = args.clone();
    for a in &args {
        for f in identifiers_called(a) {
            if let Some(body) = sources.iter().find_map(|s| function_body(s, &f)) {
                reached.push(body.to_string());
            }
        }
    }
    let mut out = BTreeSet::new();
    for text in reached {
        let mut rest = text.as_str();
        while let Some(i) = rest.find("Manifest.permission.") {
            rest = &rest[i + "Manifest.permission.".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            out.insert(name);
        }
    }
    out
}

// ---- foreground services ------------------------------------------------------------------

/// `LOCATION` -> `location`, `DATA_SYNC` -> `dataSync`, as the manifest spells a type.
pub fn manifest_type(constant: &str) -> String {
    let mut out = String::new();
    for (i, part) in constant.split('_').enumerate() {
        let lower = part.to_ascii_lowercase();
        if i == 0 {
            out.push_str(&lower);
        } else {
            let mut c = lower.chars();
            if let Some(f) = c.next() {
                out.push(f.to_ascii_uppercase());
                out.extend(c);
            }
        }
    }
    out
}

/// The foreground-service types one Kotlin source starts a service with, and the service:
/// the class extending `Service()` for `startForeground`, WorkManager's foreground service for
/// `ForegroundInfo`.
pub fn started_types(src: &str) -> Vec<(String, String)> {
    const PREFIX: &str = "FOREGROUND_SERVICE_TYPE_";
    let service_class = src.lines().find_map(|l| {
        let t = l.trim();
        let rest = t.strip_prefix("class ")?;
        if !(t.contains(": Service()") || t.contains(": LifecycleService()")) {
            return None;
        }
        rest.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .next()
            .map(str::to_string)
    });
    let mut out = Vec::new();
    for (kind, service) in [
        ("startForeground(", service_class.clone()),
        (
            "ForegroundInfo(",
            Some("androidx.work.impl.foreground.SystemForegroundService".to_string()),
        ),
    ] {
        let mut from = 0;
        while let Some(i) = src[from..].find(kind) {
            let open = from + i + kind.len() - 1;
            let args = balanced(src, open);
            let mut rest = args;
            while let Some(j) = rest.find(PREFIX) {
                rest = &rest[j + PREFIX.len()..];
                let c: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_uppercase() || *c == '_')
                    .collect();
                let svc = service.clone().unwrap_or_else(|| "?".to_string());
                out.push((svc, c));
            }
            from = open + 1;
        }
    }
    out
}

/// Services declared in the manifest: full or relative name -> its foreground-service types.
fn manifest_services(manifest: &str) -> Vec<(String, BTreeSet<String>)> {
    tags(manifest)
        .into_iter()
        .filter(|t| t.name == "service")
        .map(|t| {
            let name = t.attrs.get("android:name").cloned().unwrap_or_default();
            let types = t
                .attrs
                .get("android:foregroundServiceType")
                .map(|v| v.split('|').map(|s| s.trim().to_string()).collect())
                .unwrap_or_default();
            (name, types)
        })
        .collect()
}

/// Each started type declared on its service, with `FOREGROUND_SERVICE` and the type's
/// permission.
pub fn check_foreground(manifest: &str, started: &[(String, String)]) -> Vec<Finding> {
    let services = manifest_services(manifest);
    let perms = declared_permissions(manifest);
    let mut out = Vec::new();
    for (service, constant) in started {
        let ty = manifest_type(constant);
        let declared = services.iter().find(|(name, _)| {
            name == service
                || name
                    .rsplit('.')
                    .next()
                    .is_some_and(|n| !service.contains('.') && n == service)
        });
        match declared {
            None => out.push(finding(
                "foreground services",
                format!("{service} starts in the foreground but is not declared in the manifest"),
            )),
            Some((_, types)) if !types.contains(&ty) => out.push(finding(
                "foreground services",
                format!(
                    "{service} starts with FOREGROUND_SERVICE_TYPE_{constant} but the manifest declares foregroundServiceType {types:?}, not \"{ty}\""
                ),
            )),
            Some(_) => {}
        }
        if !perms.contains("FOREGROUND_SERVICE") {
            out.push(finding(
                "foreground services",
                "the manifest lacks android.permission.FOREGROUND_SERVICE".to_string(),
            ));
        }
        // A short service needs no type permission.
        let perm = format!("FOREGROUND_SERVICE_{constant}");
        if constant != "SHORT_SERVICE" && !perms.contains(&perm) {
            out.push(finding(
                "foreground services",
                format!("{service} starts as {ty}: the manifest lacks android.permission.{perm}"),
            ));
        }
    }
    out.dedup();
    out
}

// ---- the step -----------------------------------------------------------------------------

fn kotlin_sources(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for e in entries {
        let p = e.map_err(|e| e.to_string())?.path();
        if p.is_dir() {
            kotlin_sources(&p, out)?;
        } else if p.extension().is_some_and(|x| x == "kt") {
            out.push(p);
        }
    }
    Ok(())
}

fn read(p: &Path) -> Result<String> {
    std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))
}

/// Every finding of the three checks over the app at `root/APP`, and how many things were
/// checked (string keys, dangerous permissions, started service types).
pub fn check(root: &Path) -> Result<(Vec<Finding>, String)> {
    let app = root.join(APP);
    let res = app.join("res");
    let base_path = res.join("values/strings.xml");
    let base = string_keys(&read(&base_path)?);
    let mut findings = Vec::new();
    let mut locales = Vec::new();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&res)
        .map_err(|e| format!("{}: {e}", res.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("values-"))
                && p.join("strings.xml").exists()
        })
        .collect();
    dirs.sort();
    for d in &dirs {
        let name = d
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let other = string_keys(&read(&d.join("strings.xml"))?);
        findings.extend(compare_locales("values", &base, &name, &other));
        locales.push(name);
    }
    if !dirs.iter().any(|d| d.ends_with("values-zh-rCN")) {
        findings.push(finding(
            "strings",
            "no res/values-zh-rCN/strings.xml: the shell's words must exist in Chinese".into(),
        ));
    }

    let manifest = read(&app.join("AndroidManifest.xml"))?;
    let mut files = Vec::new();
    kotlin_sources(&app.join("kotlin"), &mut files)?;
    kotlin_sources(&app.join("java"), &mut files)?;
    files.sort();
    let sources = files.iter().map(|f| read(f)).collect::<Result<Vec<_>>>()?;
    let declared = declared_permissions(&manifest);
    let requested = requested_permissions(&sources);
    let dangerous: Vec<&String> = declared
        .iter()
        .filter(|p| DANGEROUS.contains(&p.as_str()))
        .collect();
    for p in &dangerous {
        if !requested.contains(p.as_str()) {
            findings.push(finding(
                "permissions",
                format!("android.permission.{p} is declared but never requested at run time (Manifest.permission.{p} reaches no permission request)"),
            ));
        }
    }

    let started: Vec<(String, String)> = sources.iter().flat_map(|s| started_types(s)).collect();
    findings.extend(check_foreground(&manifest, &started));

    let note = format!(
        "{} string keys in {} locale(s), {} dangerous permissions requested, {} foreground-service starts",
        base.len(),
        locales.len() + 1,
        dangerous.len(),
        started.len()
    );
    Ok((findings, note))
}

/// The step: (passed, failed, note); findings printed.
pub fn check_step(root: &Path) -> Result<(u64, u64, String)> {
    let (findings, note) = check(root)?;
    for f in &findings {
        eprintln!("android {}: {}", f.check, f.what);
    }
    Ok(if findings.is_empty() {
        (1, 0, note)
    } else {
        (0, 1, format!("{note}; {} problems", findings.len()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const EN: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<!-- <string name="commented">not a key</string> -->
<resources>
    <string name="app_name">Runsheet</string>
    <string name="input_range">%1$d to %2$d</string>
    <string name="percent">100%% sure, %s</string>
    <string name="server" translatable="false">https://x</string>
</resources>"#;

    #[test]
    fn string_keys_and_placeholders_are_read() {
        let keys = string_keys(EN);
        assert_eq!(
            keys.keys().collect::<Vec<_>>(),
            ["app_name", "input_range", "percent"]
        );
        assert_eq!(keys["input_range"], ["%1$d", "%2$d"]);
        assert_eq!(keys["percent"], ["%s"]);
        assert!(keys["app_name"].is_empty());
    }

    #[test]
    fn a_key_missing_from_either_locale_or_a_changed_placeholder_is_found() {
        let en = string_keys(EN);
        let zh = string_keys(
            r#"<resources>
            <string name="app_name">Runsheet</string>
            <string name="input_range">%1$d 至 %2$s</string>
            <string name="only_zh">多余</string>
        </resources>"#,
        );
        let found: Vec<String> = compare_locales("values", &en, "values-zh-rCN", &zh)
            .into_iter()
            .map(|f| f.what)
            .collect();
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found[0].starts_with("input_range: placeholders"));
        assert!(found[1].starts_with("percent: in values, missing"));
        assert!(found[2].starts_with("only_zh: in values-zh-rCN, missing"));
        assert!(compare_locales("values", &en, "values-x", &en).is_empty());
    }

    const ACTIVITY: &str = r#"
class MainActivity : ComponentActivity() {
    private val askPermission = registerForActivityResult(ActivityResultContracts.RequestMultiplePermissions()) { asked ->
        done(asked)
    }
    fun serve() {
        askPermission.launch(effects.androidPermissions(request.permission).toTypedArray())
    }
}
"#;
    const EXECUTOR: &str = r#"
class EffectExecutor {
    fun androidPermissions(permission: Permission): List<String> = when (permission) {
        Permission.CAMERA -> listOf(Manifest.permission.CAMERA)
        Permission.LOCATION ->
            listOf(Manifest.permission.ACCESS_FINE_LOCATION, Manifest.permission.ACCESS_COARSE_LOCATION)
    }

    fun granted(): Boolean = check(Manifest.permission.POST_NOTIFICATIONS)
}
"#;

    #[test]
    fn permissions_reach_the_request_through_the_function_called_in_launch() {
        let requested = requested_permissions(&[ACTIVITY.to_string(), EXECUTOR.to_string()]);
        assert_eq!(
            requested.into_iter().collect::<Vec<_>>(),
            ["ACCESS_COARSE_LOCATION", "ACCESS_FINE_LOCATION", "CAMERA"],
            "POST_NOTIFICATIONS is only checked, never requested"
        );
        // Without the launcher nothing is requested, whatever the constants.
        assert!(requested_permissions(&[EXECUTOR.to_string()]).is_empty());
    }

    #[test]
    fn a_direct_request_counts() {
        let src = r#"
    private val ask = registerForActivityResult(ActivityResultContracts.RequestPermission()) { }
    fun go() = ask.launch(Manifest.permission.POST_NOTIFICATIONS)
"#;
        assert!(requested_permissions(&[src.to_string()]).contains("POST_NOTIFICATIONS"));
    }

    const MANIFEST: &str = r#"<manifest xmlns:android="http://schemas.android.com/apk/res/android">
    <uses-permission android:name="android.permission.CAMERA" />
    <uses-permission android:name="android.permission.FOREGROUND_SERVICE" />
    <uses-permission android:name="android.permission.FOREGROUND_SERVICE_LOCATION" />
    <application>
        <service android:name=".LocationService" android:exported="false"
            android:foregroundServiceType="location" />
        <service android:name="androidx.work.impl.foreground.SystemForegroundService" />
    </application>
</manifest>"#;

    const SERVICE: &str = r#"
class LocationService : Service() {
    override fun onStartCommand(intent: Intent?, flags: Int, startId: Int): Int {
        ServiceCompat.startForeground(this, ONGOING_ID, ongoing(), ServiceInfo.FOREGROUND_SERVICE_TYPE_LOCATION)
        return START_STICKY
    }
}
"#;

    #[test]
    fn the_started_type_must_be_declared_on_its_service_with_its_permission() {
        let started = started_types(SERVICE);
        assert_eq!(
            started,
            [("LocationService".to_string(), "LOCATION".to_string())]
        );
        assert!(check_foreground(MANIFEST, &started).is_empty());

        let undeclared = MANIFEST.replace(" android:foregroundServiceType=\"location\"", "");
        assert_eq!(check_foreground(&undeclared, &started).len(), 1);
        let no_perm = MANIFEST.replace("FOREGROUND_SERVICE_LOCATION", "FOREGROUND_SERVICE_CAMERA");
        assert_eq!(check_foreground(&no_perm, &started).len(), 1);

        let worker = "return ForegroundInfo(ID, n, ServiceInfo.FOREGROUND_SERVICE_TYPE_DATA_SYNC)";
        let found = check_foreground(MANIFEST, &started_types(worker));
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].what.contains("\"dataSync\""));
        assert!(found[1].what.contains("FOREGROUND_SERVICE_DATA_SYNC"));
    }

    #[test]
    fn manifest_types_are_spelt_as_android_spells_them() {
        assert_eq!(manifest_type("LOCATION"), "location");
        assert_eq!(manifest_type("DATA_SYNC"), "dataSync");
        assert_eq!(manifest_type("REMOTE_MESSAGING"), "remoteMessaging");
    }

    #[test]
    fn the_app_in_this_repository_passes() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .unwrap_or(Path::new("."));
        let (findings, note) = check(root).unwrap_or_else(|e| panic!("{e}"));
        assert!(findings.is_empty(), "{findings:?}");
        assert!(note.contains("5 dangerous permissions requested"), "{note}");
    }
}
