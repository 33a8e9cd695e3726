//! The fuzz target's check (`fuzz/checks/scan_parse.rs`) run by `cargo test` on a few hundred
//! seeded inputs: valid codes of every kind, random mutations of them (bytes flipped, inserted,
//! deleted, duplicated, spliced, cut short), scanner noise and random bytes. The seed is fixed,
//! so a failure reproduces; cargo-fuzz explores far more, but needs nightly.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

#[path = "../fuzz/checks/scan_parse.rs"]
mod scan_parse;

/// Valid codes of every kind the parser reads, and a few broken ones.
const SEEDS: &[&str] = &[
    "4006381333931",
    "09506000134352",
    "96385074",
    "036000291452",
    "106141411234567897",
    "01234565",
    "(01)09506000134352(17)261231(10)ABC123",
    "(00)106141411234567897(02)09506000134352(37)12(400)PO-77",
    "(01)09506000134352(3103)001250(7003)2603031200(4331)000400",
    "(01) 09506000134352 (10) A\\(B)",
    "]C101095060001343521726123110ABC123\u{1d}21XYZ",
    "\u{1d}0109506000134352\u{1d}10B1\u{1d}",
    "]d2010950600013435217261231\u{1d}10ABC123",
    "]Q3(8006)095060001343520203",
    "]e00109506000134352",
    "]E04006381333931",
    "https://id.gs1.org/01/09506000134352/10/ABC123/21/12345?17=261231",
    "HTTP://example.com/shop/p/01/4006381333931/10/A%2FB?linkType=all&3103=000500#x",
    "https://d.example/414/9520123456788/254/32a%2Fb",
    "https://d.example/gtin/09506000134352/lot/L1",
    "RS1:ORD-4711:2/3:U",
    "RS1:A:1/1:",
    "RS9:ORD-4711:2/3:8",
    "(17)310231",
    "(8008)2612312359",
    "hello world",
    "",
];

/// Characters scanners send and the parser treats specially.
const NOISE: &[u8] = b"0123456789()[]\\%/:?&=#.-_ \r\n\t\0\x1dRSEQCde]ABZaz";

fn mutate(rng: &mut StdRng, input: &[u8]) -> Vec<u8> {
    let mut b = input.to_vec();
    for _ in 0..rng.gen_range(1..=4) {
        let at = if b.is_empty() {
            0
        } else {
            rng.gen_range(0..b.len())
        };
        match rng.gen_range(0..7) {
            0 if !b.is_empty() => b[at] = rng.gen(),
            1 => b.insert(at, NOISE[rng.gen_range(0..NOISE.len())]),
            2 if !b.is_empty() => {
                b.remove(at);
            }
            3 if !b.is_empty() => {
                let end = rng.gen_range(at..=b.len());
                let copy = b[at..end].to_vec();
                b.splice(at..at, copy);
            }
            4 => {
                let other = SEEDS[rng.gen_range(0..SEEDS.len())].as_bytes();
                let from = rng.gen_range(0..=other.len());
                b.extend_from_slice(&other[from..]);
            }
            5 => b.truncate(at),
            _ if !b.is_empty() => b[at] = NOISE[rng.gen_range(0..NOISE.len())],
            _ => b.push(rng.gen()),
        }
    }
    b
}

#[test]
fn seeds_pass_the_fuzz_check() {
    for seed in SEEDS {
        scan_parse::check(seed.as_bytes());
    }
}

#[test]
fn mutated_and_random_inputs_pass_the_fuzz_check() {
    let mut rng = StdRng::seed_from_u64(0x6531_5eed);
    let mut parsed = 0;
    for k in 0..600 {
        let input = if k % 6 == 5 {
            let len = rng.gen_range(0..120);
            (0..len).map(|_| rng.gen()).collect()
        } else {
            mutate(&mut rng, SEEDS[k % SEEDS.len()].as_bytes())
        };
        scan_parse::check(&input);
        if runsheet_gs1::parse(&String::from_utf8_lossy(&input)).is_ok() {
            parsed += 1;
        }
    }
    // The mutations keep some codes readable (a cut after a complete field, a duplicated
    // variable-length value...), so both the success and the error paths were checked.
    assert!(parsed > 0 && parsed < 600, "{parsed} of 600 parsed");
}

#[test]
fn oversized_input_passes_the_fuzz_check() {
    let big = "0".repeat(runsheet_gs1::MAX_INPUT_LEN + 1);
    scan_parse::check(big.as_bytes());
}
