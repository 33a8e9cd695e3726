//! Map datums. GPS gives WGS-84; Chinese map data (Amap, Apple Maps in mainland China) uses
//! GCJ-02; Baidu uses BD-09. Both apply in mainland China only ([`in_mainland_china`]): abroad,
//! Hong Kong, Macau and Taiwan included, every datum is WGS-84, Baidu's too (Baidu's
//! coordinate guide: its maps use WGS-84 outside China), so conversions there change nothing.
//! Inverse conversions iterate the forward ones to well under a metre.

pub use crate::border::in_mainland_china;

/// A coordinate datum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Datum {
    /// GPS, Google Maps, Waze, OpenStreetMap.
    Wgs84,
    /// China's national datum (Amap, Apple Maps in mainland China); WGS-84 abroad.
    Gcj02,
    /// Baidu Maps in mainland China; WGS-84 abroad.
    Bd09,
}

impl Datum {
    /// Its name as [`Datum::parse`] reads it: `wgs84`, `gcj02` or `bd09`.
    pub fn name(self) -> &'static str {
        match self {
            Datum::Wgs84 => "wgs84",
            Datum::Gcj02 => "gcj02",
            Datum::Bd09 => "bd09",
        }
    }

    /// Parses `wgs84`, `gcj02` or `bd09`.
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "wgs84" | "wgs-84" => Some(Datum::Wgs84),
            "gcj02" | "gcj-02" => Some(Datum::Gcj02),
            "bd09" | "bd-09" => Some(Datum::Bd09),
            _ => None,
        }
    }
}

const A: f64 = 6_378_245.0; // Krasovsky 1940 semi-major axis, as the published algorithm uses
const EE: f64 = 0.006_693_421_622_965_943; // its first eccentricity squared
const X_PI: f64 = std::f64::consts::PI * 3000.0 / 180.0;

fn offset(lat: f64, lon: f64) -> (f64, f64) {
    use std::f64::consts::PI;
    let (x, y) = (lon - 105.0, lat - 35.0);
    let common = (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    let mut dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    dlat += common;
    dlat += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    dlat += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    let mut dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    dlon += common;
    dlon += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    dlon += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    let rad = lat / 180.0 * PI;
    let magic = 1.0 - EE * rad.sin() * rad.sin();
    let sqrt_magic = magic.sqrt();
    (
        dlat * 180.0 / ((A * (1.0 - EE)) / (magic * sqrt_magic) * PI),
        dlon * 180.0 / (A / sqrt_magic * rad.cos() * PI),
    )
}

/// The published GCJ-02 forward formula (applied everywhere; the caller decides where).
fn wgs_to_gcj(lat: f64, lon: f64) -> (f64, f64) {
    let (dlat, dlon) = offset(lat, lon);
    (lat + dlat, lon + dlon)
}

fn gcj_to_bd(lat: f64, lon: f64) -> (f64, f64) {
    let z = (lon * lon + lat * lat).sqrt() + 0.000_02 * (lat * X_PI).sin();
    let theta = lat.atan2(lon) + 0.000_003 * (lon * X_PI).cos();
    (z * theta.sin() + 0.006, z * theta.cos() + 0.0065)
}

fn bd_to_gcj_approx(lat: f64, lon: f64) -> (f64, f64) {
    let (x, y) = (lon - 0.0065, lat - 0.006);
    let z = (x * x + y * y).sqrt() - 0.000_02 * (y * X_PI).sin();
    let theta = y.atan2(x) - 0.000_003 * (x * X_PI).cos();
    (z * theta.sin(), z * theta.cos())
}

/// Inverts `forward` near `target` by fixed-point iteration from `guess`.
fn invert(
    target: (f64, f64),
    guess: (f64, f64),
    forward: impl Fn(f64, f64) -> (f64, f64),
) -> (f64, f64) {
    let mut p = guess;
    for _ in 0..30 {
        let f = forward(p.0, p.1);
        let (elat, elon) = (f.0 - target.0, f.1 - target.1);
        p = (p.0 - elat, p.1 - elon);
        if elat.abs() < 1e-10 && elon.abs() < 1e-10 {
            break;
        }
    }
    p
}

/// Converts `(lat, lon)` from one datum to another. Outside mainland China (judged at the
/// point as given) the datums coincide and the point comes back unchanged; so does a point
/// that is not a finite latitude and longitude.
pub fn convert(lat: f64, lon: f64, from: Datum, to: Datum) -> (f64, f64) {
    if from == to || !in_mainland_china(lat, lon) {
        return (lat, lon);
    }
    let gcj = match from {
        Datum::Wgs84 => wgs_to_gcj(lat, lon),
        Datum::Gcj02 => (lat, lon),
        Datum::Bd09 => {
            let guess = bd_to_gcj_approx(lat, lon);
            invert((lat, lon), guess, gcj_to_bd)
        }
    };
    match to {
        Datum::Gcj02 => gcj,
        Datum::Bd09 => gcj_to_bd(gcj.0, gcj.1),
        Datum::Wgs84 => invert(gcj, gcj, wgs_to_gcj),
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    /// Metres between two points.
    fn metres(a: (f64, f64), b: (f64, f64)) -> f64 {
        crate::travel::distance_m(a, b)
    }

    #[test]
    fn forward_conversions_match_the_published_reference() {
        // wandergis/coordtransform test vectors (the original constants), (lon, lat) there.
        let (lat, lon) = convert(39.915, 116.404, Datum::Wgs84, Datum::Gcj02);
        assert!(
            (lon - 116.41024449916938).abs() < 1e-9 && (lat - 39.91640428150164).abs() < 1e-9,
            "{lat} {lon}"
        );
        let (lat, lon) = convert(39.915, 116.404, Datum::Gcj02, Datum::Bd09);
        assert!(
            (lon - 116.41036949371029).abs() < 1e-9 && (lat - 39.92133699351021).abs() < 1e-9,
            "{lat} {lon}"
        );
        // Their one-step approximate inverses; ours iterates to the exact inverse, within 0.5 m.
        let (lat, lon) = convert(39.915, 116.404, Datum::Bd09, Datum::Gcj02);
        assert!(metres((lat, lon), (39.90865673957631, 116.39762729119315)) < 0.5);
        let (lat, lon) = convert(39.915, 116.404, Datum::Gcj02, Datum::Wgs84);
        assert!(metres((lat, lon), (39.91359571849836, 116.39775550083061)) < 1.5);
    }

    #[test]
    fn city_pairs_from_eviltransform_agree_within_a_metre() {
        // googollee/eviltransform uses a slightly different Earth radius: sub-metre apart.
        for (wlat, wlon, glat, glon) in [
            (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),
            (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),
            (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),
        ] {
            let g = convert(wlat, wlon, Datum::Wgs84, Datum::Gcj02);
            assert!(metres(g, (glat, glon)) < 1.0, "{g:?}");
        }
        // (That project's BD-09 pairs are left out: they do not come from the published BD-09
        // formula, which its own code applies, landing 10 m away from them.)
    }

    #[test]
    fn inverses_round_trip_under_half_a_metre() {
        let datums = [Datum::Wgs84, Datum::Gcj02, Datum::Bd09];
        for lat in [18.3, 22.54, 30.27, 39.91, 45.75, 53.2] {
            for lon in [87.6, 104.06, 113.9, 120.15, 126.6] {
                for from in datums {
                    for to in datums {
                        let there = convert(lat, lon, from, to);
                        let back = convert(there.0, there.1, to, from);
                        assert!(
                            metres((lat, lon), back) < 0.5,
                            "{from:?}->{to:?} at {lat},{lon}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn points_outside_china_are_left_alone_by_gcj02() {
        for (lat, lon) in [
            (51.5007, -0.1246),
            (40.6892, -74.0445),
            (35.6586, 139.7454),
            (-33.8568, 151.2153),
        ] {
            assert_eq!(convert(lat, lon, Datum::Wgs84, Datum::Gcj02), (lat, lon));
            assert_eq!(convert(lat, lon, Datum::Gcj02, Datum::Wgs84), (lat, lon));
        }
    }

    #[test]
    fn abroad_every_datum_is_wgs84_baidus_too() {
        let datums = [Datum::Wgs84, Datum::Gcj02, Datum::Bd09];
        for (lat, lon) in [
            (22.2819, 114.1582), // Hong Kong
            (22.1935, 113.5395), // Macau
            (25.0330, 121.5654), // Taipei
            (37.5665, 126.9780), // Seoul
            (47.8864, 106.9057), // Ulaanbaatar
            (21.0278, 105.8342), // Hanoi
            (-33.8568, 151.2153),
        ] {
            for from in datums {
                for to in datums {
                    assert_eq!(convert(lat, lon, from, to), (lat, lon), "{from:?}->{to:?}");
                }
            }
        }
        // Beijing, for contrast, moves.
        assert_ne!(
            convert(39.9042, 116.4074, Datum::Wgs84, Datum::Bd09),
            (39.9042, 116.4074)
        );
    }

    #[test]
    fn datum_names_round_trip_and_junk_is_refused() {
        for d in [Datum::Wgs84, Datum::Gcj02, Datum::Bd09] {
            assert_eq!(Datum::parse(d.name()), Some(d));
        }
        assert_eq!(Datum::parse("GCJ-02"), Some(Datum::Gcj02));
        assert_eq!(Datum::parse("etrs89"), None);
        assert_eq!(
            convert(f64::NAN, 120.0, Datum::Wgs84, Datum::Gcj02).1,
            120.0
        );
    }
}
