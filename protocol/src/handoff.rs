//! The customer's handoff code: the PIN the platform gives the customer to show at the door.
//! The phone holds only a deliberately slow hash of it ([`HandoffCodeDoc`], PBKDF2-HMAC-SHA256
//! with a per-task salt and the platform's iteration count), so that checking one code costs a
//! phone tens of milliseconds while trying every six-digit code costs hours. The phone sends the
//! code the customer gave with its check ([`HandoffCodeEntry`]); the server, which keeps its own
//! record and never sends it to phones, decides whether the handoff was verified.

use serde::{Deserialize, Serialize};

/// Iterations of PBKDF2-HMAC-SHA256 a platform uses unless its settings say otherwise: about
/// 50-100 ms per check on a phone (release build; 18 ms per 150,000 on a shared x86 server
/// core), so 10^6 guesses take a phone's CPU about a day.
pub const DEFAULT_HANDOFF_KDF_ITERATIONS: u32 = 300_000;

/// The fewest iterations a platform may set (tests use it to stay fast).
pub const MIN_HANDOFF_KDF_ITERATIONS: u32 = 1_000;

/// The most iterations a document may ask of a phone (a bound on the work one check can cost).
pub const MAX_HANDOFF_KDF_ITERATIONS: u32 = 10_000_000;

/// Digits in a handoff code unless the platform's settings say otherwise.
pub const DEFAULT_HANDOFF_CODE_LENGTH: u32 = 6;

/// The longest handoff code.
pub const MAX_HANDOFF_CODE_LENGTH: u32 = 12;

/// A customer's handoff code as the phone holds it: never the code, only a slow salted hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandoffCodeDoc {
    /// Random salt, hex.
    pub salt: String,
    /// PBKDF2-HMAC-SHA256 iterations.
    pub iterations: u32,
    /// PBKDF2-HMAC-SHA256 of the code (trimmed) under the salt's bytes, 32 bytes, lowercase hex.
    pub hash: String,
}

impl HandoffCodeDoc {
    /// The document for `code` under `salt` (hex) with `iterations` (clamped to the allowed
    /// range).
    pub fn derive(code: &str, salt: &str, iterations: u32) -> Self {
        let iterations = iterations.clamp(MIN_HANDOFF_KDF_ITERATIONS, MAX_HANDOFF_KDF_ITERATIONS);
        HandoffCodeDoc {
            salt: salt.to_owned(),
            iterations,
            hash: hex::encode(kdf(code, salt, iterations)),
        }
    }

    /// Whether `code` is the one hashed here (constant-time comparison). A document asking for
    /// more than [`MAX_HANDOFF_KDF_ITERATIONS`] or fewer than [`MIN_HANDOFF_KDF_ITERATIONS`]
    /// matches nothing.
    pub fn matches(&self, code: &str) -> bool {
        if !(MIN_HANDOFF_KDF_ITERATIONS..=MAX_HANDOFF_KDF_ITERATIONS).contains(&self.iterations) {
            return false;
        }
        let Ok(expected) = hex::decode(&self.hash) else {
            return false;
        };
        let got = kdf(code, &self.salt, self.iterations);
        expected.len() == got.len()
            && expected
                .iter()
                .zip(got.iter())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }
}

fn kdf(code: &str, salt: &str, iterations: u32) -> [u8; 32] {
    let mut out = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(
        code.trim().as_bytes(),
        salt.as_bytes(),
        iterations,
        &mut out,
    );
    out
}

/// The code a customer gave at the door, as the phone sends it to the server to check. It is
/// never logged: its `Debug` prints `***`. The server stores only whether it matched.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct HandoffCodeEntry(pub String);

impl std::fmt::Debug for HandoffCodeEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HandoffCodeEntry(***)")
    }
}

#[cfg(feature = "uniffi")]
uniffi::custom_newtype!(HandoffCodeEntry, String);

/// The platform's handoff code policy (part of the settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct HandoffCodePolicy {
    /// The fewest characters a customer's code may have (digits, from 6 by default).
    #[serde(default = "HandoffCodePolicy::default_length")]
    pub min_length: u32,
    /// PBKDF2 iterations of the hash phones get.
    #[serde(default = "HandoffCodePolicy::default_iterations")]
    pub kdf_iterations: u32,
}

impl HandoffCodePolicy {
    fn default_length() -> u32 {
        DEFAULT_HANDOFF_CODE_LENGTH
    }

    fn default_iterations() -> u32 {
        DEFAULT_HANDOFF_KDF_ITERATIONS
    }

    /// What is wrong with the policy, if anything.
    pub fn problem(&self) -> Option<String> {
        if !(4..=MAX_HANDOFF_CODE_LENGTH).contains(&self.min_length) {
            return Some(format!(
                "handoff_code.min_length must be 4 to {MAX_HANDOFF_CODE_LENGTH}"
            ));
        }
        if !(MIN_HANDOFF_KDF_ITERATIONS..=MAX_HANDOFF_KDF_ITERATIONS).contains(&self.kdf_iterations)
        {
            return Some(format!(
                "handoff_code.kdf_iterations must be {MIN_HANDOFF_KDF_ITERATIONS} to {MAX_HANDOFF_KDF_ITERATIONS}"
            ));
        }
        None
    }
}

impl Default for HandoffCodePolicy {
    fn default() -> Self {
        HandoffCodePolicy {
            min_length: DEFAULT_HANDOFF_CODE_LENGTH,
            kdf_iterations: DEFAULT_HANDOFF_KDF_ITERATIONS,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_right_code_matches_its_slow_salted_hash() {
        let doc = HandoffCodeDoc::derive("482913", "a1b2c3", MIN_HANDOFF_KDF_ITERATIONS);
        assert_eq!(doc.iterations, MIN_HANDOFF_KDF_ITERATIONS);
        assert_eq!(doc.hash.len(), 64);
        assert!(doc.matches("482913"));
        assert!(doc.matches(" 482913 "));
        assert!(!doc.matches("482914"));
        assert!(!doc.matches(""));
        // Another salt gives another hash; a tampered iteration count matches nothing.
        assert_ne!(
            HandoffCodeDoc::derive("482913", "ffff", MIN_HANDOFF_KDF_ITERATIONS).hash,
            doc.hash
        );
        let mut cheap = doc.clone();
        cheap.iterations = 1;
        assert!(!cheap.matches("482913"));
    }

    #[test]
    fn the_hash_is_pbkdf2_hmac_sha256() {
        // RFC 7914 section 11's PBKDF2-HMAC-SHA256 vector (P="passwd", S="salt", c=1), its
        // first 32 bytes.
        let mut out = [0u8; 32];
        pbkdf2::pbkdf2_hmac::<sha2::Sha256>(b"passwd", b"salt", 1, &mut out);
        assert_eq!(
            hex::encode(out),
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
        );
    }

    #[test]
    fn an_entered_code_never_reaches_a_log() {
        let e = HandoffCodeEntry("482913".into());
        assert!(!format!("{e:?}").contains("482913"));
        assert_eq!(serde_json::to_string(&e).unwrap(), "\"482913\"");
    }

    #[test]
    fn the_policy_defaults_to_six_digits_and_checks_its_range() {
        let p = HandoffCodePolicy::default();
        assert_eq!(p.min_length, 6);
        assert!(p.problem().is_none());
        assert!(HandoffCodePolicy { min_length: 3, ..p }.problem().is_some());
        assert!(HandoffCodePolicy {
            kdf_iterations: 10,
            ..p
        }
        .problem()
        .is_some());
    }
}
